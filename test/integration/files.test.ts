// Files and console against each real server (LXD, Incus), over the unix socket and HTTPS, under
// /root/lfb-* in the shared container (removed after each run).
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileTypeError, type Lxd } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function hashOf(stream: ReadableStream<Uint8Array>): Promise<{ hash: string; bytes: number }> {
  const h = createHash("sha256");
  let bytes = 0;
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    h.update(r.value);
    bytes += r.value.byteLength;
  }
  return { hash: h.digest("hex"), bytes };
}

describeServers("real server: files and console", (env) => {
  const c = env.container;
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    const dir = `/root/lfb-${name}-${process.pid}`;
    beforeAll(() => lxd.files.mkdir(name, c, dir, { mode: 0o700 }));
    afterAll(async () => {
      await lxd.run(name, c, ["rm", "-rf", dir]);
      await lxd.close();
    });

    it("pushes 8 MiB as a stream and pulls it back, sha256 equal, mode and owner from the headers", async () => {
      const data = new Uint8Array(randomBytes(8 << 20));
      let at = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(ctl) {
          if (at >= data.byteLength) return ctl.close();
          ctl.enqueue(data.subarray(at, (at += 100_003)));
        },
      });
      await lxd.files.push(name, c, `${dir}/big`, stream, { mode: 0o640, uid: 1234, gid: 5678 });
      const f = await lxd.files.pull(name, c, `${dir}/big`);
      expect({ type: f.type, mode: f.mode, uid: f.uid, gid: f.gid, size: f.size }).toEqual({
        type: "file",
        mode: 0o640,
        uid: 1234,
        gid: 5678,
        size: data.byteLength,
      });
      expect(await hashOf(f.stream)).toEqual({ hash: sha256(data), bytes: data.byteLength });
      const r = await lxd.run(name, c, ["sha256sum", `${dir}/big`]);
      expect(r.text().split(" ")[0]).toBe(sha256(data));
    });

    it("appends, lists, stats, makes a symlink and a directory, deletes", async () => {
      await lxd.files.push(name, c, `${dir}/a`, "one\n");
      await lxd.files.push(name, c, `${dir}/a`, new TextEncoder().encode("two\n"), { write: "append" });
      expect(await new Response((await lxd.files.pull(name, c, `${dir}/a`)).stream).text()).toBe("one\ntwo\n");
      await lxd.files.mkdir(name, c, `${dir}/d`, { mode: 0o711 });
      await lxd.files.symlink(name, c, `${dir}/l`, "a");
      expect(await lxd.files.stat(name, c, `${dir}/d`)).toMatchObject({ type: "directory", mode: 0o711, uid: 0, gid: 0 });
      expect((await lxd.files.stat(name, c, `${dir}/l`)).type).toBe("symlink");
      const link = await lxd.files.pull(name, c, `${dir}/l`);
      expect(await new Response(link.stream).text()).toBe(`${dir}/a`);
      expect((await lxd.files.list(name, c, dir)).sort()).toEqual(expect.arrayContaining(["a", "d", "l"]));
      await expect(lxd.files.list(name, c, `${dir}/a`)).rejects.toBeInstanceOf(FileTypeError);
      for (const p of ["l", "a", "d"]) await lxd.files.delete(name, c, `${dir}/${p}`);
      await expect(lxd.files.stat(name, c, `${dir}/a`)).rejects.toMatchObject({ name: "LxdError", status: 404 });
    });

    it("a path with spaces and &?# is encoded", async () => {
      const p = `${dir}/a b&c=d?#%`;
      await lxd.files.push(name, c, p, "x");
      expect((await lxd.run(name, c, ["cat", p])).text()).toBe("x");
      await lxd.files.delete(name, c, p);
    });

    it("a missing file and a missing instance are 404 LxdErrors", async () => {
      await expect(lxd.files.pull(name, c, `${dir}/none`)).rejects.toMatchObject({ name: "LxdError", status: 404 });
      await expect(lxd.files.delete(name, c, `${dir}/none`)).rejects.toMatchObject({ name: "LxdError", status: 404 });
      await expect(lxd.files.push(name, "lfb-no-such-instance", "/root/x", "x")).rejects.toMatchObject({ name: "LxdError", status: 404 });
    });

    it("console: a prompt, resize, and close ends the operation", async () => {
      const con = await lxd.console(name, c, { width: 100, height: 30 });
      const done = setTimeout(() => void con.close(), 15_000); // the console is exclusive: never leave it attached
      const reader = con.readable.getReader();
      const writer = con.writable.getWriter();
      const dec = new TextDecoder();
      let got = "";
      // Keys sent in the first moments after attaching can be lost (the server's console proxy is
      // not forwarding yet), so the command is typed again until it shows. Each time: an answer to
      // busybox's cursor-position request (ESC[6n, sent with its prompt), ^U for anything left on
      // the line (LXD's detach writes ESC c to the console), then the command.
      const typing = setInterval(() => void writer.write(new TextEncoder().encode("\x1b[1;1R\x15echo lfb-$((6*7))\r")), 500);
      try {
        while (!/lfb-42\r*\n[\s\S]*# /.test(got)) {
          const r = await reader.read();
          if (r.done) break;
          got += dec.decode(r.value, { stream: true });
        }
      } finally {
        clearInterval(typing);
      }
      expect(got).toMatch(/lfb-42\r*\n[\s\S]*# /);
      await con.resize(120, 40);
      writer.releaseLock();
      reader.releaseLock();
      await con.close();
      clearTimeout(done);
      expect((await con.operation.wait({ timeout: 10_000 })).status).toBe("Success");
      expect(await lxd.console.log(name, c)).toContain("lfb-42");
    });
  });
});
