#!/usr/bin/env node
// The one-command demo: talks to the local LXD over its unix socket.
//   npm run demo            (after `bash scripts/lxd-up.sh` as root on a fresh machine)
import { createLxd, OperationError } from "../dist/index.js";

const lxd = createLxd(); // `local`: $LXD_DIR/unix.socket, /var/lib/lxd/unix.socket or the snap's
try {
  const server = (await lxd.api().GET("/1.0")).data?.metadata;
  console.log(`LXD ${server?.environment?.server_version} (${server?.auth}) over ${lxd.defaultRemote}`);

  // A live operation to look at: a certificate-add token stays Running until cancelled.
  const { data } = await lxd.api().POST("/1.0/certificates", { body: { name: "lxd-fetch-demo", type: "client", token: true } });
  const id = data.metadata.id;

  const byStatus = await lxd.operations.list("local", { recursion: true }, (ops) =>
    Object.entries(ops).flatMap(([status, list]) => list.map((op) => `${status.padEnd(8)} ${op.id} ${op.class.padEnd(9)} ${op.description}`)),
  );
  console.log(`operations (one request, recursion=1):\n  ${byStatus.join("\n  ")}`);

  const op = await lxd.operations.info("local", id);
  console.log(`info ${id}: ${op.status} (${op.status_code}), may_cancel=${op.may_cancel}`);

  await lxd.operations.delete("local", id);
  await lxd.operations.wait("local", id, { timeout: 5000 }).catch((err) => {
    if (!(err instanceof OperationError)) throw err;
    console.log(`wait ${id}: ${err.status} (${err.statusCode})`);
  });
} catch (err) {
  console.error(`demo failed: ${err.name}: ${err.message}`);
  process.exitCode = 1;
} finally {
  await lxd.close();
}
