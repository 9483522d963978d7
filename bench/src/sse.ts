/** An incremental Server-Sent Events parser: feed it text as it arrives, get whole events. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

/** Longest partial event kept while waiting for its end; a stream beyond it is broken. */
export const SSE_PENDING_CHARS_MAX = 1_000_000;

export class SseParser {
  private buffer = "";

  push(text: string): SseEvent[] {
    const blocks = (this.buffer + text).split("\n\n");
    // The last piece has not seen its blank line yet: keep it for the next push.
    this.buffer = blocks.pop() ?? "";
    const events: SseEvent[] = [];
    for (const block of blocks) {
      const event = parseBlock(block);
      if (event !== null) events.push(event);
    }
    if (this.buffer.length > SSE_PENDING_CHARS_MAX) throw new Error("SSE event too long");
    return events;
  }
}

function parseBlock(block: string): SseEvent | null {
  let event = "message";
  let id: string | null = null;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":") || line.length === 0) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  if (data.length === 0) return null;
  return { event, data: data.join("\n"), id };
}
