/**
 * A Server-Sent Events parser, as the WHATWG HTML standard (9.2.6) defines the stream: lines end
 * in CR, LF or CRLF (a CR at the end of one chunk may pair with an LF at the start of the next),
 * `:` starts a comment, a blank line dispatches the event, `id` persists across events, `retry`
 * sets the reconnection delay. Written here rather than taken from a package: it is short, and
 * the SDK stays at zero runtime dependencies beyond the protocol.
 */

export interface SseEvent {
  /** The last event id seen on the stream when this event was dispatched ("" for none). */
  readonly id: string;
  /** The `event` field, "message" when absent. */
  readonly event: string;
  readonly data: string;
}

export class SseParser {
  /**
   * The id to resume from, sent back as `Last-Event-ID` on reconnect. It takes the `id` field's
   * value at the blank line that ends a block, even a block without data (a server can mark its
   * position that way), never in the middle of an event that may yet be cut off.
   */
  lastEventId = "";
  private idBuffer: string | undefined;
  /** The reconnection delay the server asked for, in ms. */
  retryMs: number | undefined;
  private buffer = "";
  private data: string[] = [];
  private dataChars = 0;
  private eventType = "";
  private started = false;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    /** Longest line or event, in characters: a stream that never ends a line is cut off. */
    private readonly eventCharsMax: number,
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    if (!this.started && this.buffer.length > 0) {
      this.started = true;
      if (this.buffer.startsWith("\uFEFF")) this.buffer = this.buffer.slice(1);
    }
    let start = 0;
    for (;;) {
      const end = lineEnd(this.buffer, start);
      if (end === -1) break;
      this.line(this.buffer.slice(start, end));
      start = end + (this.buffer[end] === "\r" && this.buffer[end + 1] === "\n" ? 2 : 1);
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > this.eventCharsMax) {
      throw new RangeError(`event stream line exceeds ${this.eventCharsMax} characters`);
    }
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.dataChars += value.length + 1;
        if (this.dataChars > this.eventCharsMax) {
          throw new RangeError(`event exceeds ${this.eventCharsMax} characters`);
        }
        this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.idBuffer = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
  }

  private dispatch(): void {
    if (this.idBuffer !== undefined) this.lastEventId = this.idBuffer;
    const data = this.data;
    const event = this.eventType || "message";
    this.data = [];
    this.dataChars = 0;
    this.eventType = "";
    if (data.length === 0) return;
    this.onEvent({ id: this.lastEventId, event, data: data.join("\n") });
  }
}

/**
 * Index of the next line end at or after `start`, or -1 when the buffer holds none yet; a CR as
 * the buffer's last character waits for the next chunk, which may start with its LF.
 */
function lineEnd(buffer: string, start: number): number {
  for (let i = start; i < buffer.length; i++) {
    const char = buffer.charCodeAt(i);
    if (char === 0x0a) return i;
    if (char === 0x0d) return i + 1 < buffer.length ? i : -1;
  }
  return -1;
}
