import { describe, expect, it } from "vitest";
import { type CpuProfile, categorize, frameCategory, hottestFunctions } from "./profile.js";

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
const ROOT = "file:///repo";

/**
 * (root) -> run (driver) -> verify (node:crypto)       : 3 samples of 1 ms
 *                        -> slice (no url)             : 2 samples, inherits "consensus"
 *        -> _get (classic-level)                       : 1 sample
 *        -> (idle)                                     : 4 samples
 */
const PROFILE: CpuProfile = {
  startTime: 0,
  endTime: 10_000,
  nodes: [
    { id: 1, callFrame: frame("(root)", ""), children: [2, 5, 6] },
    {
      id: 2,
      callFrame: frame("run", `${ROOT}/packages/node/src/consensus/driver.ts`),
      children: [3, 4],
    },
    { id: 3, callFrame: frame("verify", "node:internal/crypto/sig") },
    { id: 4, callFrame: frame("slice", "") },
    { id: 5, callFrame: frame("_get", `${ROOT}/node_modules/classic-level/index.js`) },
    { id: 6, callFrame: frame("(idle)", "") },
  ],
  samples: [3, 3, 3, 4, 4, 5, 6, 6, 6, 6],
  timeDeltas: [1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000],
};

const msOf = (profile: CpuProfile, category: string, skipMs = 0) =>
  categorize(profile, skipMs).find((c) => c.category === category)?.ms;

describe("profile categories", () => {
  it("maps code to categories by where it lives", () => {
    expect(frameCategory(frame("verify", "node:internal/crypto/sig"))).toBe("verify");
    expect(frameCategory(frame("x", `${ROOT}/packages/node/src/verifier.ts`))).toBe("verify");
    expect(frameCategory(frame("x", `${ROOT}/packages/ledger/src/storage/blockStore.ts`))).toBe(
      "store",
    );
    expect(frameCategory(frame("x", `${ROOT}/packages/ledger/src/execution/run.ts`))).toBe(
      "execute",
    );
    expect(frameCategory(frame("x", `${ROOT}/packages/protocol/src/encoding.ts`))).toBe(
      "encode+hash",
    );
    expect(frameCategory(frame("x", `${ROOT}/node_modules/@chainsafe/libp2p-noise/x.js`))).toBe(
      "network",
    );
    expect(frameCategory(frame("x", `${ROOT}/node_modules/fastify/lib/route.js`))).toBe("http");
    expect(frameCategory(frame("(garbage collector)", ""))).toBe("gc");
    expect(frameCategory(frame("slice", ""))).toBeNull();
  });

  it("sums self time per category; anonymous frames take their caller's category", () => {
    // The last sample lasts until the profile ends: its length is unknown and counts as 0.
    expect(msOf(PROFILE, "verify")).toBe(3);
    expect(msOf(PROFILE, "consensus")).toBe(2);
    expect(msOf(PROFILE, "store")).toBe(1);
    expect(msOf(PROFILE, "idle")).toBe(3);
  });

  it("gives shares of busy time, idle left out", () => {
    const verify = categorize(PROFILE).find((c) => c.category === "verify");
    expect(verify?.busyShare).toBeCloseTo(3 / 6);
  });

  it("leaves out samples taken before skipMs (startup)", () => {
    expect(msOf(PROFILE, "verify", 3.5)).toBe(0);
    expect(msOf(PROFILE, "consensus", 3.5)).toBe(2);
  });

  it("falls back to hit counts when a profile has no samples", () => {
    const nodes = PROFILE.nodes.map((node) => ({ ...node, hitCount: node.id === 3 ? 1 : 0 }));
    const profile: CpuProfile = { startTime: 0, endTime: 8_000, nodes };
    expect(msOf(profile, "verify")).toBe(8);
  });

  it("lists the functions with the most self time first", () => {
    const hot = hottestFunctions(PROFILE, 2);
    expect(hot.map((f) => f.name)).toEqual(["verify", "(idle)"]);
    expect(hot[0]?.category).toBe("verify");
  });
});
