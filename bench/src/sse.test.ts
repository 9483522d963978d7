import { describe, expect, it } from "vitest";
import { SseParser } from "./sse.js";

describe("SseParser", () => {
  it("returns whole events, keeping a partial one until its blank line arrives", () => {
    const parser = new SseParser();
    expect(parser.push(": stream open\n\nid: 5-0\nevent: tx\nda")).toEqual([]);
    expect(parser.push('ta: {"id":"ab"}\n\nevent: block\ndata: {}\n\n')).toEqual([
      { event: "tx", data: '{"id":"ab"}', id: "5-0" },
      { event: "block", data: "{}", id: null },
    ]);
  });

  it("joins multi-line data and defaults the event name to message", () => {
    expect(new SseParser().push("data: a\ndata: b\n\n")).toEqual([
      { event: "message", data: "a\nb", id: null },
    ]);
  });

  it("refuses an endless event instead of buffering without bound", () => {
    expect(() => new SseParser().push(`data: ${"x".repeat(1_000_001)}`)).toThrow(/too long/);
  });
});
