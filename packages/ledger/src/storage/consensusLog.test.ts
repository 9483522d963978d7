import { afterEach, describe, expect, it } from "vitest";
import { Harness } from "../testing/harness.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe("consensus log", () => {
  it("keeps records apart from the chain, reads them back by prefix, deletes them", async () => {
    h = await Harness.create("log");
    const log = h.ledger.consensusLog;
    await log.put("vote/00000002", Uint8Array.of(2));
    await log.write([
      ["vote/00000001", Uint8Array.of(1)],
      ["view/current", Uint8Array.of(9)],
    ]);
    expect(await log.get("vote/00000001")).toEqual(Uint8Array.of(1));
    expect((await log.entries("vote/")).map(([key]) => key)).toEqual([
      "vote/00000001",
      "vote/00000002",
    ]);
    await log.deletePrefix("vote/");
    expect(await log.entries()).toEqual([["view/current", Uint8Array.of(9)]]);
    await log.delete("view/current");
    expect(await log.get("view/current")).toBeUndefined();
    await expect(log.put("x".repeat(257), Uint8Array.of(0))).rejects.toThrow(RangeError);
  });
});
