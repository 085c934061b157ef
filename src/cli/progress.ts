// A one-line progress display on stderr for long transfers, shown only when stderr is a terminal.
import { fstatSync } from "node:fs";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

function human(n: number): string {
  let u = 0;
  while (n >= 1024 && u < UNITS.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n.toFixed(u === 0 ? 0 : 1)} ${UNITS[u]}`;
}

export interface Progress {
  /** Counts `bytes` more and redraws `label: 12.0 MiB / 1.0 GiB (1%)`, at most 10 times a second. */
  add(bytes: number): void;
  /** Draws the final count and ends the line. */
  end(): void;
}

/**
 * process.stderr when it may be a terminal (a character device), else undefined: under Bun,
 * `process.stderr` builds a JavaScript stream that a native `file push` of 100 bytes paid about
 * 3 MiB of peak memory for (docs/files-memory.md), to learn it was not a terminal.
 */
function terminalStderr(): NodeJS.WriteStream | undefined {
  try {
    return fstatSync(2).isCharacterDevice() ? process.stderr : undefined;
  } catch {
    return undefined;
  }
}

export function progress(label: string, total: number | undefined, stream: NodeJS.WriteStream | undefined = terminalStderr()): Progress {
  let done = 0;
  let last = 0;
  const draw = (force: boolean) => {
    if (!stream?.isTTY) return;
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const pct = total ? ` (${Math.floor((done / total) * 100)}%)` : "";
    stream.write(`\r\x1b[K${label}: ${human(done)}${total ? ` / ${human(total)}` : ""}${pct}`);
  };
  return {
    add(bytes) {
      done += bytes;
      draw(false);
    },
    end() {
      draw(true);
      if (stream?.isTTY) stream.write("\n");
    },
  };
}

/** A pipeline step that passes chunks through unchanged, counting them on `shown`. */
export function counting(shown: Progress): (source: AsyncIterable<Uint8Array>) => AsyncGenerator<Uint8Array> {
  return async function* (source) {
    for await (const chunk of source) {
      shown.add(chunk.byteLength);
      yield chunk;
    }
  };
}
