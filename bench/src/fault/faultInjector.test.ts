import { describe, expect, it } from "vitest";
import { primaryIndex } from "./faultInjector.js";

const status = (node: string, primary: string, view = 0) => ({ height: 5, view, primary, node });

describe("primaryIndex", () => {
  it("names the node whose key the answering nodes call primary", () => {
    expect(primaryIndex([status("a", "b"), status("b", "b"), status("c", "b"), null])).toBe(1);
  });

  it("follows the majority when a node lags a view behind", () => {
    const statuses = [
      status("a", "a"),
      status("b", "b", 1),
      status("c", "b", 1),
      status("d", "b", 1),
    ];
    expect(primaryIndex(statuses)).toBe(1);
  });

  it("refuses with FAULT_NO_PRIMARY when the named primary does not answer", () => {
    expect(() => primaryIndex([null, status("b", "a"), status("c", "a")])).toThrow(
      /^FAULT_NO_PRIMARY/,
    );
    expect(() => primaryIndex([null, null])).toThrow(/FAULT_NO_PRIMARY/);
  });
});
