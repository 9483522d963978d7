import { IDENTITY_ROLES } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { isRevokeSlot, revokeCount, roleCountFor } from "./txMix.js";

describe("transaction mix", () => {
  it("spreads revokes evenly: one in ten at a share of 0.1", () => {
    const slots = Array.from({ length: 30 }, (_, i) => isRevokeSlot(i, 0.1));
    expect(slots.filter(Boolean).length).toBe(3);
    expect(slots[9]).toBe(true);
    expect(revokeCount(1_000, 0.1)).toBe(100);
    expect(revokeCount(1_000, 0)).toBe(0);
  });

  it("picks the fewest roles that reach the wanted size, all of them at most", () => {
    const sizeOf = (roles: number) => 200 + 10 * roles;
    expect(roleCountFor(null, sizeOf)).toBe(1);
    expect(roleCountFor(235, sizeOf)).toBe(4);
    // Past every role there is nothing more to add: all of them.
    expect(roleCountFor(10_000, sizeOf)).toBe(IDENTITY_ROLES.length);
  });
});
