import { describe, expect, it } from "vitest";
import { BATCH_TXS_MAX } from "../careLedgerLoad.js";
import { packLimits } from "./submitAll.js";

describe("setup limits for transactions of many packs", () => {
  it("keeps about 8,000 packs in flight, at least one transaction", () => {
    expect(packLimits(1_000)).toEqual({ inFlightMax: 8, batchMax: 4 });
    expect(packLimits(50)).toEqual({ inFlightMax: 160, batchMax: 80 });
    expect(packLimits(1)).toEqual({ inFlightMax: 8_000, batchMax: BATCH_TXS_MAX });
    expect(packLimits(20_000)).toEqual({ inFlightMax: 1, batchMax: 1 });
  });
});
