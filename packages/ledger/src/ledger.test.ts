import {
  blockHash,
  chainIdOf,
  encode,
  genesisValidators,
  validatorsHash,
  verifyStateProof,
} from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "./ledger.js";
import { openDatabase } from "./storage/database.js";
import { formatKey } from "./storage/layout.js";
import { STORAGE_FORMAT } from "./storage/storageFormat.js";
import { testChain } from "./testing/fixtures.js";
import { Harness } from "./testing/harness.js";
import { nodeVerifier } from "./testing/nodeCrypto.js";
import { commitRandomBlock } from "./testing/randomBlocks.js";
import { tempDir } from "./testing/tempDir.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function dir(label: string): string {
  const made = tempDir(label);
  cleanups.push(made.remove);
  return made.dir;
}

describe("Ledger", () => {
  it("writes block 0 from genesis and reopens at the same head", async () => {
    const chain = testChain();
    const path = dir("genesis");
    const ledger = await Ledger.open(path, chain.genesis, { verifier: nodeVerifier() });
    const head = ledger.head;
    expect(head.height).toBe(0);
    expect(head.header.chain).toEqual(chainIdOf(chain.genesis));
    expect(head.header.validatorsHash).toEqual(validatorsHash(genesisValidators(chain.genesis)));
    expect(head.hash).toEqual(blockHash(head.header));
    const stored = await ledger.reads.block(0);
    expect(stored?.certificate).toBeNull();
    await ledger.close();
    const again = await Ledger.open(path, chain.genesis, { verifier: nodeVerifier() });
    expect(again.head.hash).toEqual(head.hash);
    expect(again.head.stateRoot).toEqual(head.stateRoot);
    await again.close();
  });

  it("refuses a database of another chain", async () => {
    const path = dir("other");
    const ledger = await Ledger.open(path, testChain(4).genesis, { verifier: nodeVerifier() });
    await ledger.close();
    await expect(
      Ledger.open(path, testChain(5).genesis, { verifier: nodeVerifier() }),
    ).rejects.toMatchObject({ code: "GENESIS_INVALID" });
  });

  it("refuses a data directory of an older storage format, telling the operator to re-sync", async () => {
    const chain = testChain(4);
    const path = dir("format");
    await (await Ledger.open(path, chain.genesis, { verifier: nodeVerifier() })).close();
    const reopened = await Ledger.open(path, chain.genesis, { verifier: nodeVerifier() });
    await reopened.close();
    const refusal = {
      code: "STORAGE_FORMAT_MISMATCH",
      message: expect.stringContaining("re-syncs from genesis"),
    };
    const db = await openDatabase(path);
    await db.put(formatKey, encode(STORAGE_FORMAT - 1));
    await db.close();
    await expect(
      Ledger.open(path, chain.genesis, { verifier: nodeVerifier() }),
    ).rejects.toMatchObject({
      ...refusal,
      message: expect.stringContaining(`format ${STORAGE_FORMAT - 1};`),
    });
    // A database from before the marker existed.
    const old = await openDatabase(path);
    await old.del(formatKey);
    await old.close();
    await expect(
      Ledger.open(path, chain.genesis, { verifier: nodeVerifier() }),
    ).rejects.toMatchObject(refusal);
  });

  it("commits blocks, serves them and their transactions after a restart", async () => {
    const chain = testChain();
    const path = dir("commit");
    const ledger = await Ledger.open(path, chain.genesis, { verifier: nodeVerifier() });
    for (let i = 0; i < 5; i++) await commitRandomBlock(ledger, chain, 7, 40);
    const head = ledger.head;
    await ledger.close();
    const reopened = await Ledger.open(path, chain.genesis, { verifier: nodeVerifier() });
    expect(reopened.head.height).toBe(5);
    expect(reopened.head.stateRoot).toEqual(head.stateRoot);
    const stored = await reopened.reads.block(3);
    expect(stored?.certificate?.height).toBe(3);
    const tx = stored?.block.txs[2];
    if (!tx) throw new Error("block 3 has no transaction 2");
    const found = await reopened.reads.tx(tx.id);
    expect(found).toMatchObject({ height: 3, index: 2 });
    expect(found?.receipt.tx).toEqual(tx.id);
    const byHash = await reopened.reads.blockByHash(blockHash(stored.block.header));
    expect(byHash?.block.header.height).toBe(3);
    const proven = await reopened.reads.proveState("identity/orgs");
    expect(verifyStateProof(proven.stateRoot, "identity/orgs", proven.bytes, proven.proof)).toBe(
      true,
    );
    const absent = await reopened.reads.proveState("identity/none");
    expect(absent.bytes).toBeNull();
    expect(verifyStateProof(absent.stateRoot, "identity/none", null, absent.proof)).toBe(true);
    await reopened.close();
  });
});

describe("checkAdmission", () => {
  it("refuses what a block would refuse, and transactions already committed", async () => {
    const h = await Harness.create("admission");
    try {
      const admin = h.org(0).admin;
      const payload = { key: new Uint8Array(32).fill(1), org: "org-0", roles: ["patient"] };
      const tx = h.tx("identity.register", payload, admin);
      await expect(h.ledger.checkAdmission(tx)).resolves.toBeUndefined();
      await h.block([tx]);
      await expect(h.ledger.checkAdmission(tx)).rejects.toMatchObject({ code: "TX_DUPLICATE" });
      const expired = h.tx("identity.register", payload, admin, 1);
      await expect(h.ledger.checkAdmission(expired)).rejects.toMatchObject({ code: "TX_EXPIRED" });
      const unknown = h.tx("no.such", {}, admin);
      await expect(h.ledger.checkAdmission(unknown)).rejects.toMatchObject({
        code: "TX_UNKNOWN_TYPE",
      });
    } finally {
      await h.close();
    }
  });
});
