import { SseParser } from "./sse.js";

export interface CommitListener {
  onTx(idHex: string, ok: boolean, code: string | undefined): void;
  onBlock(height: number, txCount: number): void;
}

/** Reconnections tolerated in one run before the stream is declared broken. */
const RECONNECTS_MAX = 20;
const RECONNECT_PAUSE_MS = 100;

/**
 * Follows a node's `/v1/events` and reports every committed transaction and block. If the node
 * cuts a slow subscriber off, it resumes from the last event id, so no commit is missed.
 */
export class CommitStream {
  private lastId: string | null = null;
  private reconnects = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  private failure: Error | null = null;

  /**
   * `sign` gives the headers of a signed read of a path: transaction events are scoped (only
   * member operators see everyone's), so the benchmark subscribes as an organization admin.
   */
  constructor(
    private readonly url: string,
    private readonly listener: CommitListener,
    private readonly sign: (pathWithQuery: string) => Record<string, string>,
  ) {}

  /** Starts following; resolves once the first connection is open. */
  async start(): Promise<void> {
    const first = await this.connect();
    // follow() records its failures in `failure`; a rejection here would be a bug in it.
    this.follow(first).catch((error: unknown) => {
      this.failure = error instanceof Error ? error : new Error(String(error));
    });
  }

  error(): Error | null {
    return this.failure;
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  private async connect(): Promise<ReadableStreamDefaultReader<Uint8Array>> {
    // Signed anew on every (re)connection: a node refuses a signature it saw before.
    const headers: Record<string, string> = {
      accept: "text/event-stream",
      ...this.sign("/v1/events"),
    };
    if (this.lastId !== null) headers["last-event-id"] = this.lastId;
    const response = await fetch(`${this.url}/v1/events`, { headers, signal: this.abort.signal });
    if (!response.ok || response.body === null) throw new Error(`events: ${response.status}`);
    return response.body.getReader();
  }

  private async follow(firstReader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    let reader = firstReader;
    while (!this.stopped) {
      try {
        await this.read(reader);
      } catch (error) {
        if (this.stopped) return;
        if (this.reconnects >= RECONNECTS_MAX) {
          this.failure = error instanceof Error ? error : new Error(String(error));
          return;
        }
      }
      if (this.stopped) return;
      this.reconnects += 1;
      await new Promise((done) => setTimeout(done, RECONNECT_PAUSE_MS));
      try {
        reader = await this.connect();
      } catch (error) {
        if (this.stopped) return;
        this.failure = error instanceof Error ? error : new Error(String(error));
        return;
      }
    }
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        if (event.id !== null) this.lastId = event.id;
        const data = JSON.parse(event.data) as Record<string, unknown>;
        if (event.event === "tx") {
          const receipt = data.receipt as { ok: boolean; code?: string };
          this.listener.onTx(String(data.id), receipt.ok, receipt.code);
        } else if (event.event === "block") {
          this.listener.onBlock(Number(data.height), Number(data.txCount));
        }
      }
    }
  }
}
