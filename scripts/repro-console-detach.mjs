// Reproduces LXD 5.0.2's console crash and proves the detach order: attach to the console of
// the test container, make output flow (`seq 1 2000`), detach; 25 times, asking GET /1.0 after
// each. With control closed first LXD panics ("concurrent write to websocket connection") within
// a few detaches; with the data socket first (src/console.ts) it stays up.
//   npx tsup --silent && node scripts/repro-console-detach.mjs
import { createLxd } from "../dist/index.js";
import { loadServerEnv } from "./lxd-env.mjs";
const { env } = loadServerEnv("lxd");
const lxd = createLxd({ remotes: { r: { socket: env.socket } }, defaultRemote: "r" });
let fail = 0,
  statuses = {};
for (let i = 0; i < 25; i++) {
  const con = await lxd.console("r", env.container);
  const reader = con.readable.getReader();
  const writer = con.writable.getWriter();
  let got = false;
  const first = reader.read().then(() => (got = true));
  for (let k = 0; k < 50 && !got; k++) {
    await writer.write(new TextEncoder().encode("\x15\r"));
    await Promise.race([first, new Promise((r) => setTimeout(r, 100))]);
  }
  // output flowing while we detach: ask for a lot of it
  await writer.write(new TextEncoder().encode("seq 1 2000\r"));
  await new Promise((r) => setTimeout(r, 20));
  writer.releaseLock();
  reader.releaseLock();
  await con.close();
  const op = await con.operation.wait({ timeout: 10000 }).catch((e) => e.operation ?? e);
  statuses[op.status ?? op.name] = (statuses[op.status ?? op.name] ?? 0) + 1;
  try {
    await lxd.server.info("r", { refresh: true });
  } catch (e) {
    fail++;
    console.log("LXD down after", i, e.message);
    break;
  }
}
console.log(JSON.stringify({ statuses, fail }));
await lxd.close();
