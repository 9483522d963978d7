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

describe("a block is invalid when it", () => {
  it("holds more transactions than the blockTxsMax parameter", async () => {
    await h.close();
    const chain = testChain();
    h = await Harness.create("too-many", {
      ...chain,
      genesis: { ...chain.genesis, params: { ...chain.genesis.params, blockTxsMax: 2 } },
    });
    const built = await h.build([register(), register(), register()]);
    await expect(h.ledger.executeBlock(built.block)).rejects.toMatchObject({
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
