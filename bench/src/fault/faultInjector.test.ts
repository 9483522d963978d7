import { describe, expect, it } from "vitest";
import { primaryIndex } from "./faultInjector.js";

const VALIDATORS = ["a", "b", "c", "d"];
const status = (primary: string, view = 0) => ({ height: 5, view, primary });

describe("primaryIndex", () => {
  it("names the node holding the validator key the answering nodes call primary", () => {
    expect(primaryIndex([status("b"), status("b"), status("b"), null], VALIDATORS)).toBe(1);
  });

  it("follows the majority when a node lags a view behind, and needs no answer of the primary", () => {
    const statuses = [status("a"), null, status("b", 1), status("b", 1)];
    expect(primaryIndex(statuses, VALIDATORS)).toBe(1);
  });

  it("refuses with FAULT_NO_PRIMARY when no node answers or the key is no validator's", () => {
    expect(() => primaryIndex([null, null], VALIDATORS)).toThrow(/^FAULT_NO_PRIMARY/);
    expect(() => primaryIndex([status("e"), status("e")], VALIDATORS)).toThrow(/FAULT_NO_PRIMARY/);
  });
});
