import { gs1CheckDigit } from "@careledger/gs1";
import { describe, expect, it } from "vitest";
import { adjudicate } from "../../../packages/ledger/src/modules/claims/adjudication.js";
import { freshSigner } from "../txMix.js";
import { CLAIM_PAYABLE_MIN, claimPayload, planPayload } from "./txs.js";
import { GTIN, nextSerials, nextSscc, type World } from "./world.js";

function testWorld(): World {
  const person = (org: string) => ({ signer: freshSigner(), org });
  return {
    chain: new Uint8Array(32),
    genesisTime: 1_800_000_000_000,
    admins: new Map(),
    clinicians: [person("riverside-hospital")],
    insurerAgent: person("meridian-health"),
    maker: person("northwind-pharma"),
    wholesaler: person("bluefield-distribution"),
    patients: [],
    records: [],
    members: [{ coverage: "0".repeat(32), key: new Uint8Array(32) }],
    serials: 0,
    ssccs: 0,
  };
}

describe("the healthcare mix's claims", () => {
  it("always have CLAIM_PAYABLE_MIN payable, whatever the member has met (the real engine)", () => {
    const world = testWorld();
    const { terms } = planPayload(world);
    const met = [
      { deductibleMet: 0, outOfPocketMet: 0 },
      { deductibleMet: 20_000, outOfPocketMet: 20_000 },
      { deductibleMet: terms.deductible, outOfPocketMet: terms.outOfPocketMax - 1 },
      { deductibleMet: terms.deductible, outOfPocketMet: terms.outOfPocketMax },
    ];
    for (let i = 0; i < 50; i++) {
      const claim = claimPayload(
        world,
        "1".repeat(32),
        world.clinicians[0] as World["clinicians"][0],
      );
      for (const accumulators of met) {
        const { totals, decision } = adjudicate({
          terms,
          items: claim.items,
          coverageActive: true,
          duplicate: false,
          filedLate: false,
          preauth: () => "missing",
          accumulators,
        });
        expect(decision).toBe("approved");
        expect(totals.benefit).toBeGreaterThanOrEqual(CLAIM_PAYABLE_MIN);
      }
    }
  });
});

describe("the mix's GS1 keys", () => {
  it("makes valid, distinct SSCCs and serials", () => {
    const world = testWorld();
    const [a, b] = [nextSscc(world), nextSscc(world)];
    expect(a).toMatch(/^1952012\d{11}$/);
    expect(a).not.toBe(b);
    expect(Number(a.slice(-1))).toBe(gs1CheckDigit(a.slice(0, -1)));
    expect(GTIN).toMatch(/^\d{14}$/);
    expect(Number(GTIN.slice(-1))).toBe(gs1CheckDigit(GTIN.slice(0, -1)));
    const serials = [...nextSerials(world, 3), ...nextSerials(world, 2)];
    expect(serials).toEqual(["00000001", "00000002", "00000003", "00000004", "00000005"]);
  });
});
