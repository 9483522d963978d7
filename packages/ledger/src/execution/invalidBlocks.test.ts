import {
  type Block,
  type Header,
  type SignedTx,
  sealTx,
  signTx,
  TX_TTL_MAX,
  txRootOf,
} from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seededKey, testChain } from "../testing/fixtures.js";
import { Harness } from "../testing/harness.js";
import { nodeSigner } from "../testing/nodeCrypto.js";

let h: Harness;
beforeEach(async () => {
  h = await Harness.create("invalid");
  await h.block([]);
});
afterEach(async () => {
  await h.close();
});

let counter = 0;
function register(expires?: number): SignedTx {
  const payload = { key: seededKey("invalid-test", ++counter), org: "org-0", roles: ["patient"] };
  return h.tx("identity.register", payload, h.org(0).admin, expires);
}

/** A block at the next height holding `txs`, with a correct txRoot but any other roots. */
async function blockWith(txs: readonly SignedTx[]): Promise<Block> {
  const built = await h.build([register()]);
  return { header: { ...built.block.header, txRoot: txRootOf(txs) }, txs };
}

async function expectRefused(tx: SignedTx, code: string) {
  const block = await blockWith([register(), tx]);
  await expect(h.ledger.executeBlock(block)).rejects.toMatchObject({
    code: "BLOCK_INVALID",
    details: { index: 1, code },
  });
  const built = await h.build([register(), tx]);
  expect(built.block.txs).toHaveLength(1);
  expect(built.excluded).toMatchObject([{ index: 1, code }]);
}

describe("a block is invalid as a whole when a transaction", () => {
  it("is for another chain", async () => {
    const unsigned = {
      v: 1 as const,
      chain: new Uint8Array(32).fill(7),
      type: "identity.register",
      nonce: new Uint8Array(8),
      expires: 50,
      payload: { key: seededKey("other", 1), org: "org-0", roles: ["patient"] },
    };
    await expectRefused(signTx(unsigned, h.org(0).admin), "TX_WRONG_CHAIN");
  });

  it("has expired", async () => {
    await expectRefused(register(1), "TX_EXPIRED");
  });

  it("expires more than TX_TTL_MAX above the block's height", async () => {
    await expectRefused(register(2 + TX_TTL_MAX + 1), "TX_EXPIRY_TOO_FAR");
  });

  it("has a bad signature, unless the caller says it was verified", async () => {
    const valid = register();
    const sig = Uint8Array.from(valid.tx.sig);
    sig[5] = (sig[5] ?? 0) ^ 1;
    const forged = sealTx({ ...valid.tx, sig });
    await expectRefused(forged, "TX_BAD_SIGNATURE");
    const built = await h.build([forged]);
    const trusted = await h.ledger
      .executeBlock(
        { header: { ...built.block.header, txRoot: txRootOf([forged]) }, txs: [forged] },
        { isVerified: () => true },
      )
      .catch((error: { details: unknown }) => error.details);
    expect(trusted).not.toMatchObject({ code: "TX_BAD_SIGNATURE" });
  });

  it("has a type no module handles, or a malformed payload", async () => {
    await expectRefused(h.tx("nothing.here", {}, h.org(0).admin), "TX_UNKNOWN_TYPE");
    await expectRefused(
      h.tx("identity.register", { key: "x", org: "org-0" }, h.org(0).admin),
      "TX_PAYLOAD_INVALID",
    );
  });

  it("repeats one in the same block, a committed one, or one in an in-flight block", async () => {
    const twice = register();
    const inBlock = await blockWith([twice, twice]);
    await expect(h.ledger.executeBlock(inBlock)).rejects.toMatchObject({
      details: { index: 1, code: "TX_DUPLICATE" },
    });
    const committed = register();
    await h.block([committed]);
    await expectRefused(committed, "TX_DUPLICATE");
    const inFlight = register();
    const parent = await h.build([inFlight]);
    const head = parent.block.header;
    const child: Header = {
      ...head,
      height: head.height + 1,
      prevHash: parent.result.hash,
      time: head.time + 1,
      txRoot: txRootOf([inFlight]),
    };
    await expect(
      h.ledger.executeBlock({ header: child, txs: [inFlight] }, { parents: [parent.result] }),
    ).rejects.toMatchObject({ details: { index: 0, code: "TX_DUPLICATE" } });
  });
});

describe("a block is invalid as a whole when a transaction's sender", () => {
  const stranger = nodeSigner(seededKey("stranger", 1));
  const strangerKey = () => ({ key: stranger.publicKey });

  it("is neither a registered identity nor an organization admin", async () => {
    await expectRefused(h.tx("identity.revoke", strangerKey(), stranger), "SENDER_UNKNOWN");
    await expect(
      h.ledger.checkSender(h.tx("identity.revoke", strangerKey(), stranger)),
    ).rejects.toMatchObject({ code: "SENDER_UNKNOWN" });
    // A genesis admin needs no registration.
    await expect(h.ledger.checkSender(register())).resolves.toBeUndefined();
  });

  it("was registered in the same block: it may send from the next block on", async () => {
    const registration = h.tx(
      "identity.register",
      { key: stranger.publicKey, org: "org-0", roles: ["staff"] },
      h.org(0).admin,
    );
    const early = h.tx("identity.revoke", strangerKey(), stranger);
    const built = await h.build([registration, early]);
    expect(built.excluded).toMatchObject([{ index: 1, code: "SENDER_UNKNOWN" }]);
    await h.commit(built);
    const later = h.tx("identity.revoke", strangerKey(), stranger);
    await expect(h.ledger.checkSender(later)).resolves.toBeUndefined();
    expect(await h.block([later])).toMatchObject([{ status: "ok" }]);
    // Now revoked: from the next block a transaction of it makes the block invalid.
    await expectRefused(h.tx("identity.revoke", strangerKey(), stranger), "IDENTITY_REVOKED");
    await expect(h.ledger.checkSender(later)).rejects.toMatchObject({ code: "IDENTITY_REVOKED" });
  });
});

describe("a proposal's time", () => {
  const skew = testChain().genesis.params.clockSkewMaxMs;

  it("may be clockSkewMaxMs ahead of the replica's clock, not a millisecond more", async () => {
    const built = await h.build([register()]);
    const time = built.block.header.time;
    await expect(h.ledger.executeBlock(built.block, { now: time - skew })).resolves.toBeDefined();
    await expect(
      h.ledger.executeBlock(built.block, { now: time - skew - 1 }),
    ).rejects.toMatchObject({
      code: "BLOCK_INVALID",
      details: { aheadMs: skew + 1, clockSkewMaxMs: skew },
    });
    // A certified block (commit, sync) is judged without a clock: its quorum already judged it.
    await expect(h.ledger.executeBlock(built.block)).resolves.toBeDefined();
  });

  it("is refused far in the future (MAX_SAFE_INTEGER, ten years) and never built", async () => {
    const now = h.ledger.head.time + 1000;
    const tenYearsMs = 10 * 365 * 24 * 3600 * 1000;
    for (const time of [Number.MAX_SAFE_INTEGER, now + tenYearsMs]) {
      const head = h.ledger.head;
      const request = { height: head.height + 1, view: 0, proposer: h.org(0).node.publicKey };
      const built = await h.ledger.buildBlock({ ...request, time, txs: [] });
      await expect(h.ledger.executeBlock(built.block, { now })).rejects.toMatchObject({
        code: "BLOCK_INVALID",
      });
      await expect(
        h.ledger.buildBlock({ ...request, time, txs: [] }, { now }),
      ).rejects.toMatchObject({ code: "BLOCK_INVALID" });
    }
  });
});

describe("a block is invalid when it", () => {
  it("holds more transactions than the blockTxsMax parameter", async () => {
    await h.close();
    const chain = testChain();
    h = await Harness.create("too-many", {
      ...chain,
      genesis: { ...chain.genesis, params: { ...chain.genesis.params, blockTxsMax: 2 } },
    });
    const candidates = [register(), register(), register()];
    // The proposer keeps blockTxsMax of them and leaves the rest for the next block.
    const built = await h.build(candidates);
    expect(built.block.txs.map((signed) => signed.id)).toEqual(
      candidates.slice(0, 2).map((signed) => signed.id),
    );
    expect(built.deferred).toEqual([candidates[2]?.id]);
    await expect(h.ledger.executeBlock(built.block)).resolves.toBeDefined();
    // Refused before anything runs: the count is checked ahead of every root.
    await expect(h.ledger.executeBlock(await blockWith(candidates))).rejects.toMatchObject({
      code: "BLOCK_INVALID",
      message: expect.stringContaining("blockTxsMax"),
    });
  });
});

describe("a block is invalid when its header", () => {
  const cases: Array<[string, (header: Header) => Partial<Header>]> = [
    ["is for another chain", () => ({ chain: new Uint8Array(32).fill(1) })],
    ["skips a height", (header) => ({ height: header.height + 1 })],
    ["does not link to the parent", () => ({ prevHash: new Uint8Array(32).fill(2) })],
    ["has a time not after the parent's", () => ({ time: h.ledger.head.time })],
    ["has a wrong txRoot", () => ({ txRoot: new Uint8Array(32).fill(3) })],
    ["has a wrong stateRoot", () => ({ stateRoot: new Uint8Array(32).fill(4) })],
    ["has a wrong receiptsRoot", () => ({ receiptsRoot: new Uint8Array(32).fill(5) })],
    ["has a wrong validatorsHash", () => ({ validatorsHash: new Uint8Array(32).fill(6) })],
    ["has a wrong nextValidatorsHash", () => ({ nextValidatorsHash: new Uint8Array(32).fill(7) })],
  ];
  for (const [name, change] of cases) {
    it(name, async () => {
      const built = await h.build([register()]);
      await expect(h.ledger.executeBlock(built.block)).resolves.toBeDefined();
      const header = { ...built.block.header, ...change(built.block.header) };
      await expect(h.ledger.executeBlock({ header, txs: built.block.txs })).rejects.toMatchObject({
        code: "BLOCK_INVALID",
      });
    });
  }
});
