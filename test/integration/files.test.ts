// Files and console against each real server (LXD, Incus), over the unix socket and HTTPS, under
// /root/lfb-* in the shared container (removed after each run).
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileTypeError, type Lxd, OperationError } from "../../src/index.js";
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
      const enc = new TextEncoder();
      const dec = new TextDecoder();
      let got = "";
      const read = async () => {
        const r = await reader.read();
        if (!r.done) got += dec.decode(r.value, { stream: true });
        return !r.done;
      };
      // A measured server fault (LXD 5.0.2 and Incus 6.0.4 alike): keys that arrive in the first
      // tens of milliseconds after attaching are discarded (typed at once: lost in 8 of 9 tries;
      // typed 100 ms or more after: none of 6), and the console says nothing until a key reaches it, so there
      // is no first byte to wait for. So only a wake-up key is repeated, every 100 ms until the
      // console answers: ^U (kill the line: LXD's detach writes ESC c into the console's input,
      // left on the shell's line) and Enter, which always prints a prompt. The command is typed
      // once, after that answer.
      let wakes = 0;
      const first = read();
      let answered = false;
      void first.then(() => (answered = true));
      while (!answered) {
        expect(wakes, "the console never answered a key").toBeLessThan(50);
        wakes++;
        await writer.write(enc.encode("\x15\r"));
        await Promise.race([first, new Promise((r) => setTimeout(r, 100))]);
      }
      console.log(`[lxd-fetch] console (${env.server} over ${name}): first output after ${wakes} wake key(s)`);
      await writer.write(enc.encode("echo lfb-$((6*7))\r"));
      while (!/lfb-42\r*\n[\s\S]*# /.test(got) && (await read()));
      expect(got).toMatch(/lfb-42\r*\n[\s\S]*# /);
      await con.resize(120, 40);
      writer.releaseLock();
      reader.releaseLock();
      await con.close();
      clearTimeout(done);
      // Detaching closes the data socket before control (LXD 5.0.2 crashes on the other order:
      // src/console.ts); LXD 5.0.2 then fails its own reset write to the closed console and says
      // so as the operation's error, Incus ends it in Success. Either way it has ended.
      const final = await con.operation.wait({ timeout: 10_000 }).catch((err: unknown) => {
        if (err instanceof OperationError && /file already closed/.test(err.operation?.err ?? "")) return err.operation;
        throw err;
      });
      expect(con.operation.done).toBe(true);
      expect(final?.status).toMatch(/^(Success|Failure)$/);
      expect(await lxd.console.log(name, c)).toContain("lfb-42");
    });
  });
});
