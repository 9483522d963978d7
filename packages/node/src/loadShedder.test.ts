import { describe, expect, it } from "vitest";
import { LoadShedder, POOL_BACKLOG_FLOOR_TXS, RateMeter } from "./loadShedder.js";

describe("RateMeter", () => {
  it("counts events per second over its span and forgets older ones", () => {
    let clock = 10_000;
    const meter = new RateMeter(2_000, () => clock);
    meter.add(100);
    clock += 1_000;
    meter.add(300);
    expect(meter.perSecond()).toBe(200);
    clock += 1_500;
    expect(meter.perSecond()).toBe(150);
    clock += 1_000;
    expect(meter.perSecond()).toBe(0);
  });
});

describe("LoadShedder", () => {
  it("refuses client transactions once the pool holds more than two seconds of commits", () => {
    let clock = 0;
    const shedder = new LoadShedder(() => clock);
    expect(() => shedder.checkPool(POOL_BACKLOG_FLOOR_TXS - 1)).not.toThrow();
    expect(() => shedder.checkPool(POOL_BACKLOG_FLOOR_TXS)).toThrow(
      expect.objectContaining({ code: "MEMPOOL_FULL", details: { retryAfterS: 1 } }),
    );
    // 8,000 committed a second: a pool of 15,999 is under 2 s of commits, 16,000 is not.
    for (let step = 0; step < 32; step++) {
      shedder.noteCommitted(2_000);
      clock += 250;
    }
    clock -= 1;
    expect(() => shedder.checkPool(15_999)).not.toThrow();
    expect(() => shedder.checkPool(16_000)).toThrow(
      expect.objectContaining({ code: "MEMPOOL_FULL" }),
    );
  });
});
