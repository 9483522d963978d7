import type { IncomingMessage, ServerResponse } from "node:http";
import { CareLedgerError } from "@careledger/protocol";

export interface EventRecord {
  readonly id: string;
  readonly event: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * The fake node's `GET /v1/events`: Server-Sent Events numbered 1, 2, ..., served from the one
 * after Last-Event-ID, and a connection closed after `perConnection` events so that clients
 * must reconnect and resume.
 */
export class FakeEventStream {
  readonly records: EventRecord[] = [];
  /** Events sent on one connection before the node closes it. */
  perConnection = 2;
  private readonly listeners = new Set<() => void>();

  /** Appends an event, as a node does for each block and receipt. */
  publish(event: string, data: Record<string, unknown>): void {
    this.records.push({ id: String(this.records.length + 1), event, data });
    for (const listener of this.listeners) listener();
  }

  serve(request: IncomingMessage, response: ServerResponse, url: URL): void {
    const account = url.searchParams.get("account");
    if (account !== null && !/^[0-9a-f]{64}$/.test(account)) {
      throw new CareLedgerError("BAD_REQUEST", "account must be 64 hex digits");
    }
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    response.write(": connected\n\n");
    let next = Number(request.headers["last-event-id"] ?? "0");
    let sent = 0;
    const flush = () => {
      while (next < this.records.length && sent < this.perConnection) {
        const { id, event, data } = this.records[next] as EventRecord;
        response.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        next += 1;
        sent += 1;
      }
      if (sent >= this.perConnection) {
        this.listeners.delete(flush);
        response.end();
      }
    };
    this.listeners.add(flush);
    response.on("close", () => this.listeners.delete(flush));
    flush();
  }
}
