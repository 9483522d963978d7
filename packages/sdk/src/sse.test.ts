import { describe, expect, it } from "vitest";
import { type SseEvent, SseParser } from "./sse.js";

const CHARS_MAX = 1024;

function parseChunks(chunks: readonly string[]): { events: SseEvent[]; parser: SseParser } {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event), CHARS_MAX);
  for (const chunk of chunks) parser.push(chunk);
  return { events, parser };
}

const STREAM =
  "\uFEFF: heartbeat\r\n" +
  "retry: 1500\n" +
  "id: 1\r" +
  "event: block\r\n" +
  'data: {"height":1}\n' +
  "\n" +
  "data: line one\n" +
  "data:line two\n" +
  "data\n" +
  "\r\n" +
  "id: 2\n" +
  "event: ignored-without-data\n" +
  "\n" +
  "event: tx\n" +
  "id\n" +
  "data: after reset\n\n" +
  "data: unterminated";

const EXPECTED: SseEvent[] = [
  { id: "1", event: "block", data: '{"height":1}' },
  { id: "1", event: "message", data: "line one\nline two\n" },
  { id: "", event: "tx", data: "after reset" },
];

describe("SseParser", () => {
  it("parses fields, comments, multi-line data, ids and retry as the standard says", () => {
    const { events, parser } = parseChunks([STREAM]);
    expect(events).toEqual(EXPECTED);
    expect(parser.retryMs).toBe(1500);
  });

  it("gives the same events however the stream is cut into chunks, CRLF split included", () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      const { events } = parseChunks([STREAM.slice(0, cut), STREAM.slice(cut)]);
      expect([cut, events]).toEqual([cut, EXPECTED]);
    }
    expect(parseChunks([...STREAM]).events).toEqual(EXPECTED);
  });

  it("keeps the last id across events without one, and ignores ids holding NUL", () => {
    const { events, parser } = parseChunks(["id: 7\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\n"]);
    expect(events.map((event) => event.id)).toEqual(["7", "7", "7"]);
    expect(parser.lastEventId).toBe("7");
  });

  it("moves the resume id at the end of a block, even one without data, never mid-event", () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((event) => events.push(event), CHARS_MAX);
    parser.push("id: 5\ndata: cut off here");
    expect(parser.lastEventId).toBe("");
    parser.push("\n\nid: 9-2\n");
    expect(parser.lastEventId).toBe("5");
    parser.push("\n");
    expect(parser.lastEventId).toBe("9-2");
    expect(events).toEqual([{ id: "5", event: "message", data: "cut off here" }]);
  });

  it("cuts off a line or an event longer than its bound", () => {
    expect(() => parseChunks(["data: ", "x".repeat(CHARS_MAX + 1)])).toThrow(RangeError);
    const longEvent = Array.from({ length: 20 }, () => `data: ${"y".repeat(60)}\n`).join("");
    expect(() => parseChunks([longEvent])).toThrow(RangeError);
    expect(() => parseChunks(["data: ", "x".repeat(CHARS_MAX - 10), "\n\n"])).not.toThrow();
  });
});
