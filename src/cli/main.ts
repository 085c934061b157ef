// The lxd-fetch command line, built on the public API only. Errors are one line and a non-zero
// exit, with the stack only under --debug. Start-up time is the CLI's first impression, so what
// only some commands need (the YAML printer, exec's terminal handling, MSW) is imported by them.
import { LxdFetchError } from "../utils/errors.js";
import type { EventType, Lxd, LxdOptions, Operation } from "../index.js";
import { splitRemote, UsageError } from "./args.js";
import { loadRemotes, localSocket } from "./config.js";
import { createClient } from "./runtime.js";
import { stdioIsTerminal } from "./host.js";
import { json, table } from "./format.js";
import { loadYaml } from "./yaml.js";
import { type CommandContext, type Flags, parse } from "./flags.js";

const USAGE = `Usage: lxd-fetch [--remote R] [--mock] [--debug] <command>

Commands:
  operations list [R:] [--recursion] [--project P | --all-projects] [--format table|json]
  operations show <id>            the operation (YAML, or --format json)
  operations wait <id> [--timeout S]
  operations cancel <id>
  events [R:] [--type operation,lifecycle,logging] [--project P | --all-projects]
  exec [R:]<instance> [--project P] [--env K=V]... [--cwd D] [--user U] [--group G] [-t | -T] -- <command...>
  file push <src|-> [R:]<instance>/<path> [--mode 0644] [--uid N] [--gid N]
  file pull [R:]<instance>/<path> <dst|->
  console [R:]<instance>             the console (Ctrl-a q to leave)
  launch <image> [R:]<name> [--target M] [-c k=v]... [-p profile]... [--project P]
  list [R:] [--format table|json]
  start|stop|restart [R:]<name>... [--force]
  delete [R:]<name>... [--force]
  profile|project list|show|create|delete|rename|get|set|unset|edit …
  network list|show|create|delete|rename|get|set|unset|edit|info … [--type T] [--project P]
  storage list|show|create <pool> <driver>|delete|get|set|unset|edit|info …
  storage volume list|show|create|delete|rename|get|set|unset|edit|copy|move|snapshot|restore …
  warning list|show|ack|delete …   [--all] [--project P | --all-projects]
  cluster list|show|evacuate|restore|group …   (evacuate/restore want --force)
  config get|set|unset|show [R:] …   the server's configuration [--target M]
  info [R:] [--resources]           the server, or its hardware
  query [R:]<path> [-X METHOD] [-d JSON] [--wait] [--raw]
  network acl list|show|create|delete|rename|get|set|unset|edit …
  network forward|load-balancer list|show|create|delete|get|set|unset|edit|port … [R:]<network> <listen_address>
            [--target M] [--description D]   (load-balancer also backend add|remove, info)
  network peer list|show|create|delete|get|set|unset|edit … [R:]<network> <peer> [<[project/]network>]
  network zone list|show|create|delete|get|set|unset|edit|record … (record entry add|remove [--ttl N])
  copy|move [R:]<name> [[R:]<name>] [--mode pull|push|relay] [--instance-only] [--stateless] [--refresh]
            [--target M] [--project P] [--target-project P] [-c k=v]... [-p profile]... [--device d,k=v]...
  export [R:]<instance> [FILE|-] [--instance-only] [--optimized-storage] [--compression ALG]
  import [R:] <FILE|-> [NAME] [--storage POOL]
  image copy [R:]<image> <R>: [--alias A]... [--copy-aliases] [--auto-update] [--public] [--mode pull|push|relay]
  remote list
  remote add <name> <url> --token <token>
  remote add <name> <url> --auth-type oidc [--accept-certificate]

Remotes come from the LXD CLI's config ($LXD_CONF or ~/.config/lxc/config.yml), or from
Incus's ($INCUS_CONF or ~/.config/incus/config.yml) when that is the one there is.
--mock runs against a virtual LXD (instance c1) instead.`;

/** The commands of one family each (`profile list`, `network create`, …): one line per family, loaded when used. */
const FAMILY_COMMANDS: Record<string, () => Promise<{ run: (ctx: CommandContext) => Promise<number> }>> = {
  profile: () => import("./profile.js"),
  project: () => import("./project.js"),
  network: () => import("./network.js"),
  storage: () => import("./storage.js"),
  warning: () => import("./warning.js"),
  cluster: () => import("./cluster.js"),
  config: () => import("./server-config.js"),
  info: () => import("./info.js"),
  query: () => import("./query.js"),
  copy: () => import("./copy.js"),
  move: () => import("./move.js"),
  export: () => import("./export.js"),
  import: () => import("./import.js"),
  image: () => import("./image.js"),
};

function int(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} must be a non-negative integer`);
  return n;
}

async function client(flags: Flags): Promise<{ lxd: Lxd; stop: () => Promise<void> }> {
  if (flags.mock) {
    const { startMock } = await import("./mock.js");
    return startMock();
  }
  const cfg = await loadRemotes();
  const options: LxdOptions = {
    // `local` when the config leaves it to the library: the same socket, looked up without node:fs.
    remotes: cfg.remotes.local ? cfg.remotes : { ...cfg.remotes, local: { socket: await localSocket() } },
    defaultRemote: cfg.defaultRemote in cfg.remotes || cfg.defaultRemote === "local" ? cfg.defaultRemote : "local",
  };
  const lxd = await createClient(options);
  return { lxd, stop: () => lxd.close() };
}

function operationRows(map: Record<string, Operation[] | undefined>): string[][] {
  return Object.values(map)
    .flatMap((ops) => ops ?? [])
    .map((op) => [op.id, op.class.toUpperCase(), op.description, op.status.toUpperCase(), op.may_cancel ? "YES" : "NO", op.created_at]);
}

async function operations(lxd: Lxd, sub: string | undefined, args: string[], flags: Flags, out: (s: string) => void): Promise<number> {
  const format = flags.format ?? "table";
  if (format !== "table" && format !== "json") throw new UsageError("--format is table or json");
  const remoteFlag = flags.remote;
  switch (sub) {
    case "list": {
      const [remote] = splitRemote(args[0]);
      const scope = {
        ...(flags.project !== undefined && { project: flags.project }),
        ...(flags["all-projects"] && { allProjects: true }),
      };
      const r = remote ?? remoteFlag;
      if (format === "json") {
        out(json(flags.recursion ? await lxd.operations.list(r, { ...scope, recursion: true }) : await lxd.operations.list(r, scope)));
      } else {
        out(
          table(
            ["ID", "TYPE", "DESCRIPTION", "STATUS", "CANCELABLE", "CREATED"],
            operationRows(await lxd.operations.list(r, { ...scope, recursion: true })),
          ),
        );
      }
      return 0;
    }
    case "show": {
      const [remote, id] = splitRemote(args[0]);
      if (!id) throw new UsageError("operations show <id>");
      const op = await lxd.operations.info(remote ?? remoteFlag, id);
      out(format === "json" ? json(op) : (await loadYaml()).stringify(op).trimEnd());
      return 0;
    }
    case "wait": {
      const [remote, id] = splitRemote(args[0]);
      if (!id) throw new UsageError("operations wait <id> [--timeout S]");
      const seconds = flags.timeout === undefined ? undefined : Number(flags.timeout);
      if (seconds !== undefined && !(seconds >= 0)) throw new UsageError("--timeout is a number of seconds");
      const op = await lxd.operations.wait(remote ?? remoteFlag, id, seconds === undefined ? {} : { timeout: seconds * 1000 });
      out(format === "json" ? json(op) : `${op.id}: ${op.status}`);
      return 0;
    }
    case "cancel": {
      const [remote, id] = splitRemote(args[0]);
      if (!id) throw new UsageError("operations cancel <id>");
      await lxd.operations.delete(remote ?? remoteFlag, id);
      return 0;
    }
    default:
      throw new UsageError(`unknown operations command ${JSON.stringify(sub ?? "")}; try list, show, wait, cancel`);
  }
}

async function events(lxd: Lxd, args: string[], flags: Flags, out: (s: string) => void): Promise<number> {
  const [remote] = splitRemote(args[0]);
  const types = flags.type?.split(",").filter(Boolean) as EventType[] | undefined;
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const sub = lxd.events(remote ?? flags.remote, {
      signal: ac.signal,
      ...(types && { types }),
      ...(flags.project !== undefined && { project: flags.project }),
      ...(flags["all-projects"] && { allProjects: true }),
    });
    for await (const e of sub) out(JSON.stringify(e));
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
  return 0;
}

async function exec(lxd: Lxd, args: string[], flags: Flags): Promise<number> {
  const [target, ...command] = args;
  const [remote, instance] = splitRemote(target);
  if (!instance || command.length === 0) throw new UsageError("exec [R:]<instance> [options] -- <command...>");
  if (flags.tty && flags["no-tty"]) throw new UsageError("-t and -T exclude each other");
  const environment: Record<string, string> = {};
  for (const kv of flags.env ?? []) {
    const i = kv.indexOf("=");
    if (i <= 0) throw new UsageError(`--env wants K=V, got ${JSON.stringify(kv)}`);
    environment[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const tty = flags.tty ?? (flags["no-tty"] ? false : await stdioIsTerminal());
  const user = int("user", flags.user);
  const group = int("group", flags.group);
  const { execCommand } = await import("./exec.js");
  return execCommand(lxd, remote ?? flags.remote, instance, command, {
    environment,
    tty,
    ...(flags.cwd !== undefined && { cwd: flags.cwd }),
    ...(user !== undefined && { user }),
    ...(group !== undefined && { group }),
    ...(flags.project !== undefined && { project: flags.project }),
  });
}

async function file(lxd: Lxd, sub: string | undefined, args: string[], flags: Flags): Promise<number> {
  const { filePull, filePush } = await import("./files.js");
  if (sub === "push") {
    const [src, target] = args;
    if (!src || !target || args.length !== 2) throw new UsageError("file push <src|-> [R:]<instance>/<path>");
    if (flags.mode !== undefined && !/^[0-7]{1,4}$/.test(flags.mode)) throw new UsageError("--mode is octal, e.g. 0644");
    const [remote, rest] = splitRemote(target);
    const uid = int("uid", flags.uid);
    const gid = int("gid", flags.gid);
    return filePush(lxd, remote ?? flags.remote, src, rest, {
      ...(flags.mode !== undefined && { mode: Number.parseInt(flags.mode, 8) }),
      ...(uid !== undefined && { uid }),
      ...(gid !== undefined && { gid }),
    });
  }
  if (sub === "pull") {
    const [source, dst] = args;
    if (!source || !dst || args.length !== 2) throw new UsageError("file pull [R:]<instance>/<path> <dst|->");
    const [remote, rest] = splitRemote(source);
    return filePull(lxd, remote ?? flags.remote, rest, dst);
  }
  throw new UsageError(`unknown file command ${JSON.stringify(sub ?? "")}; try push, pull`);
}

async function consoleVerb(lxd: Lxd, args: string[], flags: Flags): Promise<number> {
  const [remote, instance] = splitRemote(args[0]);
  if (!instance || args.length !== 1) throw new UsageError("console [R:]<instance>");
  const { consoleCommand } = await import("./console.js");
  return consoleCommand(lxd, remote ?? flags.remote, instance);
}

async function instanceCommand(
  lxd: Lxd,
  cmd: string,
  given: (string | undefined)[],
  flags: Flags,
  out: (s: string) => void,
): Promise<number> {
  const args = given.filter((x): x is string => x !== undefined);
  const verbs = await import("./instances.js");
  if (cmd === "launch") return verbs.launch(lxd, args, flags, (s) => process.stderr.write(`${s}\n`));
  if (cmd === "list") return verbs.list(lxd, args, flags, out);
  if (cmd === "delete") return verbs.remove(lxd, args, flags);
  return verbs.changeState(lxd, cmd as "start" | "stop" | "restart", args, flags);
}

async function remoteList(out: (s: string) => void): Promise<number> {
  const cfg = await loadRemotes();
  const local = cfg.remotes.local && "socket" in cfg.remotes.local ? cfg.remotes.local.socket : "unix socket";
  const rows = [
    ["local", local, "unix"],
    ...Object.entries(cfg.remotes)
      .filter(([n]) => n !== "local")
      .map(([n, r]) => [n, "url" in r ? r.url : r.socket, "url" in r ? ("auth" in r ? "oidc" : "tls") : "unix"]),
  ];
  out(
    table(
      ["NAME", "URL", "AUTH"],
      rows.map(([n, u, a]) => [n === cfg.defaultRemote ? `${n} (current)` : n!, u!, a!]),
    ),
  );
  if (cfg.skipped.length) out(`(not LXD or Incus servers, skipped: ${cfg.skipped.join(", ")})`);
  return 0;
}

export async function main(argv: string[], out: (s: string) => void = (s) => console.log(s)): Promise<number> {
  let flags: Flags | undefined;
  try {
    const parsed = parse(argv);
    flags = parsed.values;
    const [cmd, sub, ...rest] = parsed.positionals;
    if (flags.help || !cmd) {
      out(USAGE);
      return cmd || flags.help ? 0 : 2;
    }
    if (cmd === "remote") {
      if (sub === "add" && flags["auth-type"] === "oidc") {
        return await (await import("./remote-add-oidc.js")).remoteAddOidc(rest, flags["accept-certificate"] === true, out);
      }
      if (sub === "add") return await (await import("./remote-add.js")).remoteAdd(rest, flags.token, out);
      if (sub !== "list") throw new UsageError("remote list | remote add <name> <url> --token <token>");
      return await remoteList(out);
    }
    const { lxd, stop } = await client(flags);
    try {
      switch (cmd) {
        case "operations":
        case "operation":
          return await operations(lxd, sub, rest, flags, out);
        case "events":
          return await events(
            lxd,
            [sub, ...rest].filter((x): x is string => x !== undefined),
            flags,
            out,
          );
        case "exec":
          return await exec(
            lxd,
            [sub, ...rest].filter((x): x is string => x !== undefined),
            flags,
          );
        case "file":
          return await file(lxd, sub, rest, flags);
        case "console":
          return await consoleVerb(
            lxd,
            [sub, ...rest].filter((x): x is string => x !== undefined),
            flags,
          );
        case "launch":
        case "list":
        case "start":
        case "stop":
        case "restart":
        case "delete":
          return await instanceCommand(lxd, cmd, [sub, ...rest], flags, out);
        default: {
          const module = FAMILY_COMMANDS[cmd];
          if (!module) throw new UsageError(`unknown command ${JSON.stringify(cmd)} (see --help)`);
          const args = [sub, ...rest].filter((x): x is string => x !== undefined);
          return await (await module()).run({ lxd, args, flags, out, err: (s) => process.stderr.write(`${s}\n`) });
        }
      }
    } finally {
      await stop();
    }
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    const message = err instanceof LxdFetchError || usage ? (err as Error).message : `${(err as Error).name}: ${(err as Error).message}`;
    process.stderr.write(`lxd-fetch: ${message}\n`);
    if (flags?.debug || argv.includes("--debug")) process.stderr.write(`${(err as Error).stack}\n`);
    return usage ? 2 : 1;
  }
}
