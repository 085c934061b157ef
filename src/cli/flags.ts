// Every flag of every command, parsed once (strict: an unknown flag is a usage error), and the
// context a command module runs with.
import { parseFlags } from "./parse-args.js";
import type { Lxd } from "../index.js";

export const OPTIONS = {
  remote: { type: "string" },
  mock: { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  format: { type: "string" },
  recursion: { type: "boolean" },
  project: { type: "string" },
  "all-projects": { type: "boolean" },
  timeout: { type: "string" },
  type: { type: "string" },
  env: { type: "string", multiple: true },
  cwd: { type: "string" },
  user: { type: "string" },
  group: { type: "string" },
  tty: { type: "boolean", short: "t" },
  "no-tty": { type: "boolean", short: "T" },
  mode: { type: "string" },
  uid: { type: "string" },
  gid: { type: "string" },
  target: { type: "string" },
  config: { type: "string", short: "c", multiple: true },
  profile: { type: "string", short: "p", multiple: true },
  force: { type: "boolean", short: "f" },
  token: { type: "string" },
  "auth-type": { type: "string" },
  "accept-certificate": { type: "boolean" },
  "volume-only": { type: "boolean" },
  all: { type: "boolean", short: "a" },
  resources: { type: "boolean" },
  request: { type: "string", short: "X" },
  data: { type: "string", short: "d" },
  wait: { type: "boolean" },
  raw: { type: "boolean" },
  action: { type: "string" },
  "instance-only": { type: "boolean" },
  refresh: { type: "boolean" },
  stateless: { type: "boolean" },
  "target-project": { type: "string" },
  device: { type: "string", multiple: true },
  "optimized-storage": { type: "boolean" },
  compression: { type: "string" },
  storage: { type: "string", short: "s" },
  alias: { type: "string", multiple: true },
  "copy-aliases": { type: "boolean" },
  "auto-update": { type: "boolean" },
  public: { type: "boolean" },
  description: { type: "string" },
  ttl: { type: "string" },
} as const;

export type Flags = ReturnType<typeof parse>["values"];

export function parse(argv: string[]) {
  return parseFlags(argv, OPTIONS);
}

/** What a command module gets: the client, its words after the command, the flags and the outputs. */
export interface CommandContext {
  readonly lxd: Lxd;
  /** The words after the command, e.g. `["list", "local:"]` for `profile list local:`. */
  readonly args: string[];
  readonly flags: Flags;
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}
