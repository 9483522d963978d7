import { describe, expect, it } from "vitest";
import { receiptView } from "./chainEvents.js";

const tx = new Uint8Array(32).fill(1);

describe("receiptView", () => {
  it("shows a module's result and events as JSON, and a plain receipt as before", () => {
    expect(receiptView({ tx, status: "ok" })).toEqual({ ok: true });
    expect(
      receiptView({
        tx,
        status: "ok",
        result: { approvals: 3, big: 2n ** 60n, key: Uint8Array.of(0xab) },
        events: [{ type: "gov.proposal.decided", attributes: { id: Uint8Array.of(1), ok: true } }],
      }),
    ).toEqual({
      ok: true,
      result: { approvals: 3, big: (2n ** 60n).toString(), key: "ab" },
      events: [{ type: "gov.proposal.decided", attributes: { id: "01", ok: true } }],
    });
    expect(receiptView({ tx, status: "failed", code: "NOT_FOUND", reason: "no" })).toEqual({
      ok: false,
      code: "NOT_FOUND",
      reason: "no",
    });
  });
});
