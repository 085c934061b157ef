// The CLI's flag parser against node:util's parseArgs (strict, positionals allowed), which it
// replaces: the same values and positionals, or the same error code and message.
import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { OPTIONS } from "../src/cli/flags.js";
import { parseFlags } from "../src/cli/parse-args.js";

type Outcome = { values: object; positionals: string[] } | { code: string; message: string };

function outcome(run: () => { values: object; positionals: string[] }): Outcome {
  try {
    const { values, positionals } = run();
    return { values: { ...values }, positionals };
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return { code, message };
  }
}

const CASES: string[][] = [
  [],
  ["operations", "list"],
  ["--foo"],
  ["-z"],
  ["--Remote", "x"],
  ["--remote"],
  ["--remote", "r", "list"],
  ["--remote=", "list"],
  ["--remote=-x"],
  ["--remote", "--mock"],
  ["--mock=1"],
  ["--tty=false"],
  ["--mock", "--mock"],
  ["--no-tty", "--tty"],
  ["-c"],
  ["-c", "-x"],
  ["-T", "-c", "-x"],
  ["-tz"],
  ["-zt"],
  ["-tfz"],
  ["-t=1"],
  ["-tT", "a", "--", "--x"],
  ["-ck=v", "-c", "a=b", "x", "-"],
  ["-fc"],
  ["-cf"],
  ["-fck=v", "y"],
  ["--env=A=1", "--env", "B", "--env", "-"],
  ["--", "-t"],
  ["-"],
  ["--=x"],
  ["--__proto__"],
  ["-X", "POST", "-d", "{}", "query", "/1.0"],
  ["exec", "c1", "--", "sh", "-c", "echo hi"],
  ["exec", "c1", "--env", "K=V", "--cwd", "/tmp", "--user", "0", "-T", "--", "true"],
];

describe("parseFlags", () => {
  it.each(CASES.map((args) => [args.join(" ") || "(none)", args]))("%s: as node:util", (_, args) => {
    const ours = outcome(() => parseFlags(args, OPTIONS));
    const node = outcome(() => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }));
    expect(ours).toEqual(node);
  });

  it("throws a TypeError with the code, as node:util does", () => {
    expect(() => parseFlags(["--nope"], OPTIONS)).toThrow(TypeError);
    expect(() => parseFlags(["--nope"], OPTIONS)).toThrow(expect.objectContaining({ code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" }));
  });
});
