// An async iterator over values that callbacks push (events, watched lists): the consumer pulls
// what `take` holds, waits while there is nothing, and ends when `ended` says so, with its error
// if it has one. The producer calls `wake()` after each push and when it ends.
export interface Pull<T> {
  /** Wakes a consumer waiting for the next value or the end. */
  wake(): void;
  /** The iteration; `finish` runs when it stops, however it stops. */
  iterate(): AsyncGenerator<T>;
}

export function pull<T>(
  take: () => { value: T } | undefined,
  ended: () => false | { error?: Error | undefined },
  finish: () => void,
): Pull<T> {
  let waiting: (() => void) | undefined;
  return {
    wake: () => waiting?.(),
    async *iterate() {
      try {
        for (;;) {
          const next = take();
          if (next) {
            yield next.value;
            continue;
          }
          const end = ended();
          if (end) {
            if (end.error) throw end.error;
            return;
          }
          await new Promise<void>((r) => (waiting = r));
          waiting = undefined;
        }
      } finally {
        finish();
      }
    },
  };
}
