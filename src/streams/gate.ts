// A first-in, first-out limit on how many execs of one remote connect at once. LXD fails an exec
// whose sockets are not all connected within 5 s of the request; a browser opens the websockets
// of one host one at a time (RFC 6455, section 4.1), so many execs connecting together would
// queue their handshakes past that deadline. Waiting here, before the request, costs nothing.
import { AbortError } from "../utils/errors.js";

export class Gate {
  #active = 0;
  readonly #queue: (() => void)[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Resolves with the release function once a place is free. */
  async enter(what: string, signal?: AbortSignal): Promise<() => void> {
    if (this.#active >= this.#limit) {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          this.#queue.splice(this.#queue.indexOf(go) >>> 0, 1);
          reject(new AbortError(what, signal?.reason));
        };
        this.#queue.push(go);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    } else this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next)
        next(); // the place passes on
      else this.#active--;
    };
  }
}
