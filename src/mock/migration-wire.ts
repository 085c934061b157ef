// The wire of the virtual LXD's migrations between servers, shared by instances (migration.ts)
// and custom volumes (volume-migration.ts), as LXD's migration sockets work: the source's
// websocket operation with `control` and `fs` secrets, which a target reads from (pull) or a
// client relays (relay), and the target's, which a source pushes to (push) or a client relays
// into (relay). Virtual servers in one process find each other's operations by the operation's
// URL and secrets; what a migration carries goes over the relayed `fs` socket as JSON.
import type { MockContext, MockOperation } from "./context.js";
import { hex, type MockOp } from "./state.js";
import type { Client } from "./types.js";

// LXD's source and sink give up after 10 s without their connections.
const WAIT_MS = 10_000;
const TIMED_OUT = "Timed out waiting for connections";

/** The target's errors, in the words of the migrating kind. */
export interface SinkMessages {
  /** The relayed `fs` socket closed before the payload came. */
  lost: string;
  /** Nothing came in time (push, relay). */
  timeout: string;
}

interface Pending<T> {
  m: MockOperation;
  secrets: Record<string, string>;
  /** Source side: hands the payload over and finishes the source's operation. */
  take?: () => T;
  /** Target side: takes the pushed payload and finishes the target's operation. */
  give?: (p: T) => void;
}

export interface MigrationWire<T> {
  /** The source's operation for a pull or a relay: it ends once a target or the relay took `payload()`. */
  offer(description: string, resources: Record<string, string[]>, payload: () => T): MockOperation;
  /** The target's operation for a push or a relay: `receive` takes what came, then it ends. */
  sink(description: string, resources: Record<string, string[]>, receive: (p: T) => void): MockOperation;
  /** Pull: the payload of the running source operation at `url` with these secrets, or undefined. */
  pull(url: unknown, secrets: Record<string, unknown> | undefined): T | undefined;
  /** Whether a running target operation at `url` with these secrets waits for a push. */
  waiting(url: unknown, secrets: Record<string, unknown> | undefined): boolean;
  /** Push: hands `payload` to that target operation; false where none waits. */
  push(url: unknown, secrets: Record<string, unknown> | undefined, payload: T): boolean;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

const sameSecrets = (a: Record<string, unknown> | undefined, b: Record<string, string>) =>
  !!a && Object.keys(b).every((k) => a[k] === b[k]);

/**
 * One kind of migration (instances, volumes): each virtual server's wire for it, registered by
 * the server's origin, so that a server of the same kind reaches it. A server made again at the
 * same URL replaces the old one.
 */
export function migrationKind<T>(messages: SinkMessages): (ctx: MockContext) => MigrationWire<T> {
  const servers = new Map<string, Map<string, Pending<T>>>();
  /** The running operation a URL and secrets name, on any server of this kind. */
  const find = (url: unknown, secrets: Record<string, unknown> | undefined): Pending<T> | undefined => {
    let found: Pending<T> | undefined;
    try {
      const u = new URL(String(url));
      const id = /^\/1\.0\/operations\/([^/]+)$/.exec(u.pathname)?.[1];
      found = id === undefined ? undefined : servers.get(u.origin)?.get(decodeURIComponent(id));
    } catch {
      return undefined;
    }
    // A cancelled or failed operation takes nothing any more.
    return found && found.m.op.status_code < 200 && sameSecrets(secrets, found.secrets) ? found : undefined;
  };

  return (ctx) => {
    const pending = new Map<string, Pending<T>>();
    servers.set(new URL(ctx.base).origin, pending);

    /** A websocket operation, cancellable while it waits (a client cleaning up after a failure cancels it). */
    const websocketOp = (description: string, resources: Record<string, string[]>): [MockOp, Record<string, string>] => {
      const secrets = { control: hex(), fs: hex() };
      const m = ctx.newOp("websocket", description, resources, secrets) as MockOp;
      m.fds = secrets;
      m.op = { ...m.op, may_cancel: true };
      return [m, secrets];
    };
    /** Ends `m` (with `err`, a failure) and forgets it; on its own after WAIT_MS with `timeout`. */
    const ending = (m: MockOperation, timeout: string) => {
      const done = (err?: string) => {
        pending.delete(m.op.id);
        clearTimeout(timer);
        ctx.finish(m, err ? "Failure" : "Success", err ?? "");
      };
      const timer = setTimeout(() => done(timeout), WAIT_MS);
      (timer as { unref?: () => void }).unref?.();
      return done;
    };

    return {
      offer(description, resources, payload) {
        const [m, secrets] = websocketOp(description, resources);
        const done = ending(m, TIMED_OUT);
        const take = () => {
          setTimeout(done, 10);
          return payload();
        };
        pending.set(m.op.id, { m, secrets, take });
        // Relay: the payload goes over fs, then every socket closes.
        const sockets: Client[] = [];
        m.attach = (fd, client) => {
          sockets.push(client);
          if (fd !== "fs") return;
          if (!pending.has(m.op.id)) return client.close(1011, "Migration is over");
          client.send(enc.encode(JSON.stringify(take())));
          setTimeout(() => {
            for (const c of sockets) c.close(1000);
          }, 5);
        };
        return m;
      },

      sink(description, resources, receive) {
        const [m, secrets] = websocketOp(description, resources);
        const done = ending(m, messages.timeout);
        const give = (p: T) => {
          receive(p);
          done();
        };
        pending.set(m.op.id, { m, secrets, give });
        m.attach = (fd, client) => {
          if (fd !== "fs") return;
          let received: T | undefined;
          client.addEventListener("message", (e: MessageEvent) => {
            const data = e.data as unknown;
            if (typeof data === "string") return;
            try {
              // What a source of the same kind sent (offer above).
              received = JSON.parse(dec.decode(data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array))) as T;
            } catch {
              received = undefined;
            }
          });
          client.addEventListener("close", () => {
            if (m.op.status_code >= 200) return;
            if (received !== undefined) give(received);
            else done(messages.lost);
          });
        };
        return m;
      },

      pull: (url, secrets) => find(url, secrets)?.take?.(),
      waiting: (url, secrets) => !!find(url, secrets)?.give,
      push(url, secrets, payload) {
        const give = find(url, secrets)?.give;
        give?.(payload);
        return !!give;
      },
    };
  };
}
