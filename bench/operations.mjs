#!/usr/bin/env node
// 2,000 sequential `info` calls on one real operation: lxd-fetch against raw fetch with the same
// undici dispatcher, alternating call by call in the same run, over HTTPS and the unix socket.
// Prints the median per-call time of each and the ratio lxd-fetch / raw (goal ≤ 1.05).
//   npm run bench:operations [-- --calls 2000]
import { Agent } from "undici";
import { createLxd } from "../dist/index.js";
import { lxdEnv, median } from "./env.mjs";

const calls = Number(process.argv[process.argv.indexOf("--calls") + 1]) || 2000;
const env = lxdEnv();
const routes = [
  ["unix", "http://unix", new Agent({ connect: { socketPath: env.socket } })],
  ["https", env.httpsUrl, new Agent({ connect: env.tls })],
];

for (const [name, baseUrl, agent] of routes) {
  // As the Node transport passes its Agent (src/transport/node.ts).
  const own = { dispatcher: agent };
  const fetchVia = (input, init) => fetch(input, Object.assign({}, init, own));
  const lxd = createLxd({
    remotes: { [name]: { url: "https://unused.invalid" } },
    defaultRemote: name,
    // The same dispatcher for both sides: only the library's own work differs.
    transport: () => ({ baseUrl, fetch: fetchVia, close: async () => {} }),
  });
  const { data } = await lxd.api().POST("/1.0/certificates", { body: { name: "lxd-fetch-bench", type: "client", token: true } });
  const id = data.metadata.id;
  // The token operation is cancelled however the run ends, so no pending token is left behind.
  const times = { raw: [], lib: [] };
  try {
    const url = `${baseUrl}/1.0/operations/${id}`;

    const raw = async () => {
      const res = await fetch(url, { dispatcher: agent });
      const body = await res.json();
      if (body.type !== "sync" || body.metadata.id !== id) throw new Error("raw: unexpected answer");
    };
    const lib = async () => {
      const op = await lxd.operations.info(name, id);
      if (op.id !== id) throw new Error("lxd-fetch: unexpected answer");
    };

    for (let i = 0; i < 100; i++) await (i % 2 ? raw() : lib()); // warm up both
    for (let i = 0; i < calls; i++) {
      // Alternate the order too, so neither side always runs right after the other.
      const pair =
        i % 2
          ? [
              ["raw", raw],
              ["lib", lib],
            ]
          : [
              ["lib", lib],
              ["raw", raw],
            ];
      for (const [k, f] of pair) {
        const t = performance.now();
        await f();
        times[k].push(performance.now() - t);
      }
    }
  } finally {
    await lxd.operations.delete(name, id);
  }
  const [r, l] = [median(times.raw), median(times.lib)];
  console.log(
    `${name.padEnd(5)} ${calls} calls each: raw fetch median ${(r * 1000).toFixed(0)} µs, lxd-fetch median ${(l * 1000).toFixed(0)} µs, ratio ${(l / r).toFixed(3)}`,
  );
  await agent.close();
}
