// multipart/form-data written as a stream, part after part, for LXD's split image upload
// (`metadata`, then `rootfs`): nothing is read before the socket asks for it.
export type Bytes = Uint8Array | Blob | ReadableStream<Uint8Array>;

export interface Part {
  name: string;
  filename: string;
  data: Bytes;
}

const enc = /* @__PURE__ */ new TextEncoder();

function boundary(): string {
  return `lxd-fetch-${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

async function* chunks(data: Bytes): AsyncGenerator<Uint8Array> {
  if (data instanceof Uint8Array) return yield data;
  const stream: ReadableStream<Uint8Array> = data instanceof Blob ? (data.stream() as ReadableStream<Uint8Array>) : data;
  const reader = stream.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
  } finally {
    reader.releaseLock();
  }
}

const partHeader = (p: Part, b: string) =>
  `--${b}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;

async function* frames(parts: Part[], b: string): AsyncGenerator<Uint8Array> {
  for (const p of parts) {
    yield enc.encode(partHeader(p, b));
    yield* chunks(p.data);
    yield enc.encode("\r\n");
  }
  yield enc.encode(`--${b}--\r\n`);
}

/** The body (a Blob when every part is in memory, else a stream) and its content type. */
export function multipart(parts: Part[]): { body: Blob | ReadableStream<Uint8Array>; contentType: string } {
  const b = boundary();
  const contentType = `multipart/form-data; boundary=${b}`;
  if (parts.every((p) => !(p.data instanceof ReadableStream))) {
    const pieces: BlobPart[] = [];
    for (const p of parts) {
      pieces.push(partHeader(p, b), p.data as BlobPart, "\r\n");
    }
    pieces.push(`--${b}--\r\n`);
    return { body: new Blob(pieces), contentType };
  }
  const it = frames(parts, b);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await it.next();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel(reason) {
      await it.throw(reason).catch(() => undefined);
    },
  });
  return { body, contentType };
}
