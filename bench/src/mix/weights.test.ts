import { describe, expect, it } from "vitest";
import { countsOf, HEALTHCARE_WEIGHTS, mixSchedule } from "./weights.js";

describe("mix schedule", () => {
  it("gives each type its share exactly over a whole cycle of the weights", () => {
    // The weights sum to 100: every 200 transactions hold each type 2 x weight times.
    const counts = countsOf(mixSchedule(200, HEALTHCARE_WEIGHTS));
    expect(Object.fromEntries(counts)).toEqual({
      "access.log": 60,
      "consent.grant": 20,
      "consent.revoke": 10,
      "record.anchor": 30,
      "claim.submit": 30,
      "claim.pay": 20,
      "pack.ship": 15,
      "pack.receive": 15,
    });
  });

  it("spreads the types: every prefix stays within one of its share", () => {
    const weights = { a: 3, b: 1 };
    const order = mixSchedule(40, weights);
    expect(order.slice(0, 4).sort()).toEqual(["a", "a", "a", "b"]);
    for (let n = 1; n <= order.length; n++) {
      const bs = order.slice(0, n).filter((type) => type === "b").length;
      expect(Math.abs(bs - n / 4)).toBeLessThanOrEqual(1);
    }
  });

  it("leaves out types of weight 0 and refuses a mix with none left", () => {
    expect(new Set(mixSchedule(10, { a: 1, b: 0 }))).toEqual(new Set(["a"]));
    expect(() => mixSchedule(1, { a: 0 })).toThrow(/positive weight/);
  });
});
