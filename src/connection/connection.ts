// A connection: one remote with a scope (project, cluster member), carrying every capability of
// the registry bound to that scope, as LXD's Go client connects once and scopes with UseProject
// and UseTarget. The scope itself is applied in one place, the request pipeline (request.ts).
import type { Flat } from "../capabilities/mutator.js";
import { CAPABILITIES, type Capabilities } from "./registry.js";
import { checkScope, type Scope } from "../request/pipeline.js";

export interface Connection extends Capabilities<[]> {
  /** The remote every call goes to. */
  readonly remote: string;
  /** The project calls use unless they name one or ask for all; undefined: the server's default. */
  readonly projectName: string | undefined;
  /** The cluster member calls go to unless they name one. */
  readonly targetName: string | undefined;
  /** What the flat form takes in place of a remote's name: `lxd.instances.list(conn.scope)`. */
  readonly scope: Scope;
  /** The same remote, scoped to project `name` (`UseProject`). */
  project(name: string): Connection;
  /** The same remote and project, sent to cluster member `member` (`UseTarget`). */
  target(member: string): Connection;
}

/** Every capability of `flat` with `scope` put first; made on first use. */
export function createConnection(flat: Capabilities<Flat>, scope: Scope): Connection {
  checkScope("connection", scope);
  const conn = {
    remote: scope.remote,
    projectName: scope.project,
    targetName: scope.target,
    scope,
    project: (name: string) => createConnection(flat, { ...scope, project: name }),
    target: (member: string) => createConnection(flat, { ...scope, target: member }),
  };
  for (const key of Object.keys(CAPABILITIES) as (keyof Capabilities<Flat>)[]) {
    Object.defineProperty(conn, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = bind(flat[key], scope);
        Object.defineProperty(conn, key, { value, enumerable: true });
        return value;
      },
    });
  }
  // Each capability's type with lead [] is what bind() makes of its flat form.
  return conn as unknown as Connection;
}

/** A flat call with `scope` as its first argument; objects (and a callable's properties) member by member. */
function bind(value: unknown, scope: Scope): unknown {
  if (typeof value === "function") {
    const f = value as (...args: unknown[]) => unknown;
    return Object.assign((...args: unknown[]) => f(scope, ...args), bindMembers(value, scope));
  }
  if (typeof value === "object" && value !== null) return bindMembers(value, scope);
  return value;
}

function bindMembers(value: object, scope: Scope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = bind(v, scope);
  return out;
}
