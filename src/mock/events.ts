// The virtual LXD's events socket: subscribers by type, emitting, and dropping them all.
import type { WebSocketHandler } from "msw";
import { wsLink } from "./ws-link.js";
import type { Client } from "./types.js";

export interface EventBus {
  emit(type: string, metadata: unknown, project?: string): void;
  /** Drops every events socket without a close frame, as a daemon restart (or death) does. */
  dropAll(): void;
  /** Open events sockets. */
  readonly sockets: number;
  /** Events sockets ever accepted. */
  readonly connections: number;
  /**
   * The MSW handler of `/1.0/events`; `refused()` says whether to refuse a new socket, `listenAfter()`
   * how long after the upgrade its listener is added (LXD: after a database transaction).
   */
  handler(wsBase: string, refused: () => boolean, logged: (method: string, url: URL) => void, listenAfter?: () => number): WebSocketHandler;
}

export function createEventBus(): EventBus {
  const clients = new Set<{ client: Client; types: string[] }>();
  let connections = 0;
  return {
    emit(type, metadata, project = "default") {
      const event = JSON.stringify({ type, timestamp: new Date().toISOString(), metadata, location: "none", project });
      for (const c of clients) if (c.types.includes(type)) c.client.send(event);
    },
    dropAll() {
      for (const { client } of [...clients]) client.close(1006);
      clients.clear();
    },
    get sockets() {
      return clients.size;
    },
    get connections() {
      return connections;
    },
    handler(wsBase, refused, logged, listenAfter = () => 0) {
      return wsLink(`${wsBase}/1.0/events`).addEventListener("connection", ({ client }) => {
        logged("WS", client.url);
        if (refused()) return client.close(1011, "events refused");
        const types = (client.url.searchParams.get("type") ?? "operation,logging,lifecycle").split(",");
        connections++;
        const entry = { client: client as unknown as Client, types };
        let closed = false;
        client.addEventListener("close", () => {
          closed = true;
          clients.delete(entry);
        });
        const delay = listenAfter();
        if (delay <= 0) clients.add(entry);
        else setTimeout(() => closed || clients.add(entry), delay);
      });
    },
  };
}
