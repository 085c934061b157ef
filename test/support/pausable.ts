// A WebSocket (MSW's, underneath) that can pause like the Node transport's: while paused, its
// message and close events are held back, as a socket that stops reading holds the server back.
export function pausableWebSocket() {
  const stats = { pauses: 0, resumes: 0 };
  class PausableWebSocket {
    readonly inner: WebSocket;
    paused = false;
    private held: (() => void)[] = [];
    constructor(url: string) {
      this.inner = new globalThis.WebSocket(url);
    }
    get readyState() {
      return this.inner.readyState;
    }
    get bufferedAmount() {
      return this.inner.bufferedAmount;
    }
    set binaryType(v: BinaryType) {
      this.inner.binaryType = v;
    }
    send(d: string | ArrayBufferLike | ArrayBufferView) {
      this.inner.send(d as ArrayBuffer);
    }
    close(code?: number) {
      this.inner.close(code);
    }
    pause() {
      this.paused = true;
      stats.pauses++;
    }
    resume() {
      this.paused = false;
      stats.resumes++;
      // One at a time: a handler may pause again.
      while (!this.paused && this.held.length > 0) this.held.shift()!();
    }
    addEventListener(type: string, listener: (e: Event) => void, options?: AddEventListenerOptions) {
      if (type !== "message" && type !== "close") return this.inner.addEventListener(type, listener, options);
      this.inner.addEventListener(
        type,
        (e: Event) => (this.paused || this.held.length > 0 ? this.held.push(() => listener(e)) : listener(e)),
        options,
      );
    }
    removeEventListener(type: string, listener: (e: Event) => void) {
      this.inner.removeEventListener(type, listener);
    }
  }
  return { WebSocket: PausableWebSocket as unknown as typeof WebSocket, stats };
}
