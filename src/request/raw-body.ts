// A request body sent as it is (an image tarball, a multipart upload), not as JSON: the bytes
// stream from their source to the socket, and the headers say what they are.

/** Types only: marks a RawBody, so that a JSON body type can refuse one (core.ts). */
export declare const RAW: unique symbol;

/** Bytes or a stream, with the headers that describe them. */
export class RawBody {
  declare readonly [RAW]: true;
  constructor(
    readonly body: Uint8Array | Blob | ReadableStream<Uint8Array>,
    readonly headers: Record<string, string>,
  ) {}
}
