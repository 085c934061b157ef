// The virtual LXD's interactive `sh` (an exec of `sh` on a PTY, as the web example's terminal
// opens): prompt, echoed typing, backspace, Enter, Ctrl-C, Ctrl-D, exit N, and stty size
// following resize, over MSW's websockets like every other exec test.
import { describe, expect, it } from "vitest";
import type { ExecProcess } from "../src/index.js";
import { useVirtualLxd } from "./support/virtual.js";

const v = useVirtualLxd();
const enc = new TextEncoder();

/** An interactive `sh -l` and a reader of its PTY output: `until(re)` waits for new output matching it. */
async function shell(size = { width: 80, height: 24 }) {
  const { client } = v.start();
  const proc: ExecProcess = await client.exec("v", "c1", ["sh", "-l"], { interactive: true, ...size });
  const writer = proc.stdin.getWriter();
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let out = "";
  let seen = 0;
  const reading = (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) out += decoder.decode(r.value, { stream: true });
  })();
  return {
    proc,
    get out() {
      return out;
    },
    type: (s: string) => writer.write(enc.encode(s)),
    /** Waits for output after the last match to match `re`; returns that output up to the match's end. */
    async until(re: RegExp, timeout = 2000): Promise<string> {
      const end = Date.now() + timeout;
      for (;;) {
        const m = re.exec(out.slice(seen));
        if (m) {
          const text = out.slice(seen, seen + m.index + m[0].length);
          seen += m.index + m[0].length;
          return text;
        }
        if (Date.now() > end) throw new Error(`no ${re} in ${JSON.stringify(out.slice(seen))}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    closeStdin: () => writer.close(),
    ended: () => reading,
  };
}

describe("the virtual LXD's interactive sh", () => {
  it("shows a prompt, echoes typed bytes, runs `echo hi` on Enter, and `exit 3` ends the exec with 3", async () => {
    const sh = await shell();
    expect(await sh.until(/# $/)).toBe("# ");
    await sh.type("echo hi\r");
    expect(await sh.until(/# $/)).toBe("echo hi\r\nhi\r\n# ");
    await sh.type("exit 3\r");
    await expect(sh.proc.exited).resolves.toMatchObject({ exitCode: 3 });
    expect(sh.out.endsWith("exit 3\r\n")).toBe(true);
  });

  it("backspace erases the last typed character on screen and in the line", async () => {
    const sh = await shell();
    await sh.until(/# $/);
    await sh.type("echo hx\x7fi\r");
    expect(await sh.until(/# $/)).toBe("echo hx\b \bi\r\nhi\r\n# ");
    await sh.type("exit 0\r");
    await expect(sh.proc.exited).resolves.toMatchObject({ exitCode: 0 });
  });

  it("stty size shows the PTY size the exec started with, then the one resize set", async () => {
    const sh = await shell({ width: 100, height: 30 });
    await sh.until(/# $/);
    await sh.type("stty size\r");
    expect(await sh.until(/# $/)).toBe("stty size\r\n30 100\r\n# ");
    await sh.proc.resize(132, 43);
    await sh.type("stty size\r");
    expect(await sh.until(/# $/)).toBe("stty size\r\n43 132\r\n# ");
    await sh.type("exit\r");
    await expect(sh.proc.exited).resolves.toMatchObject({ exitCode: 0 });
  });

  it("Ctrl-C at the prompt prints ^C, drops the line and gives a new prompt ($? is 130)", async () => {
    const sh = await shell();
    await sh.until(/# $/);
    await sh.type("echo lost\x03");
    expect(await sh.until(/# $/)).toBe("echo lost^C\r\n# ");
    await sh.type("echo $?\r");
    expect(await sh.until(/# $/)).toBe("echo $?\r\n130\r\n# ");
    await sh.type("exit\r"); // the last status is now echo's
    await expect(sh.proc.exited).resolves.toMatchObject({ exitCode: 0 });
  });

  it("Ctrl-C stops a running `sleep 100` at once and the prompt comes back", async () => {
    const sh = await shell();
    await sh.until(/# $/);
    await sh.type("sleep 100\r");
    await sh.until(/sleep 100\r\n/); // echoed once the line runs: Ctrl-C now interrupts it
    const t = Date.now();
    await sh.type("\x03");
    expect(await sh.until(/# $/)).toBe("^C\r\n# ");
    // Uncaught, the sleep would hold the prompt for 100 s: a tenth of that proves the interrupt on a slow machine too.
    expect(Date.now() - t).toBeLessThan(10_000);
    await sh.type("exit 0\r");
    await expect(sh.proc.exited).resolves.toMatchObject({ exitCode: 0 });
  });

  it("Ctrl-D (closing stdin sends ^D) exits with the last command's status", async () => {
    const sh = await shell();
    await sh.until(/# $/);
    await sh.type("nosuch\r");
    expect(await sh.until(/# $/)).toBe("nosuch\r\nsh: nosuch: not found\r\n# ");
    await sh.closeStdin();
    await expect(sh.proc.exited).resolves.toMatchObject({ exitCode: 127 });
    await sh.ended();
    expect(sh.out.endsWith("# exit\r\n")).toBe(true);
  });

  it("sh without -c and without a PTY is still not a command the virtual LXD runs", async () => {
    const { client } = v.start();
    const r = await client.run("v", "c1", ["sh", "-l"]);
    expect(r.exitCode).toBe(127);
  });
});
