import {
  CareLedgerError,
  generateSecretKey,
  keySigner,
  nobleVerifier,
  type SignedTx,
  sealTx,
  signTx,
  TX_TTL_MAX,
  toHex,
} from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { Mempool, type MempoolChain } from "./mempool.js";

const CHAIN = new Uint8Array(32).fill(4);
const signer = keySigner(generateSecretKey());
let nonceCounter = 0;

function tx(
  overrides: { expires?: number; chain?: Uint8Array; payloadBytes?: number } = {},
): SignedTx {
  nonceCounter += 1;
  const nonce = new Uint8Array(8);
  new DataView(nonce.buffer).setUint32(4, nonceCounter);
  return signTx(
    {
      v: 1,
      chain: overrides.chain ?? CHAIN,
      type: "identity.register",
      nonce,
      expires: overrides.expires ?? 50,
      payload: { blob: new Uint8Array(overrides.payloadBytes ?? 0) },
    },
    signer,
  );
}

function chain(height = 10, committed = new Set<string>(), catchingUp = false): MempoolChain {
  return {
    chainId: CHAIN,
    nextHeight: () => height,
    catchingUp: () => catchingUp,
    isCommitted: async (signed) => committed.has(toHex(signed.id)),
    checkPayload: (signed) => {
      if (signed.tx.type !== "identity.register") throw new CareLedgerError("TX_UNKNOWN_TYPE");
    },
  };
}

async function codeOf(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (error) {
    if (error instanceof CareLedgerError) return error.code;
    throw error;
  }
  return "admitted";
}

describe("Mempool admission", () => {
  it("skips the signature check only for ids a valid proposal proved", async () => {
    let verifications = 0;
    const counting = {
      verify: (key: Uint8Array, message: Uint8Array, sig: Uint8Array) => {
        verifications += 1;
        return nobleVerifier.verify(key, message, sig);
      },
    };
    const pool = new Mempool(chain(), counting);
    const proven = tx();
    pool.noteVerified([toHex(proven.id)]);
    await pool.admit(proven.bytes);
    expect(verifications).toBe(0);
    // A forged signature on another transaction is still checked and refused.
    const other = tx();
    const forged = sealTx({ ...other.tx, sig: new Uint8Array(64).fill(1) });
    expect(await codeOf(() => pool.admit(forged.bytes))).toBe("TX_BAD_SIGNATURE");
    expect(verifications).toBe(1);
  });

  it("admits a valid transaction once, then refuses it as a duplicate", async () => {
    const pool = new Mempool(chain(), nobleVerifier);
    const signed = tx();
    expect(toHex((await pool.admit(signed.bytes)).id)).toBe(toHex(signed.id));
    expect(await codeOf(() => pool.admit(signed.bytes))).toBe("TX_DUPLICATE");
    expect(pool.size).toBe(1);
  });

  it("refuses committed, expired, too-far, wrong-chain, unknown-type and badly signed transactions", async () => {
    const committed = tx();
    const pool = new Mempool(chain(10, new Set([toHex(committed.id)])), nobleVerifier);
    expect(await codeOf(() => pool.admit(committed.bytes))).toBe("TX_DUPLICATE");
    expect(await codeOf(() => pool.admit(tx({ expires: 9 }).bytes))).toBe("TX_EXPIRED");
    expect(await codeOf(() => pool.admit(tx({ expires: 10 + TX_TTL_MAX + 1 }).bytes))).toBe(
      "TX_EXPIRY_TOO_FAR",
    );
    expect(await codeOf(() => pool.admit(tx({ chain: new Uint8Array(32) }).bytes))).toBe(
      "TX_WRONG_CHAIN",
    );
    const other = tx();
    const unknownType = sealTx({ ...other.tx, type: "nothing.here" });
    expect(await codeOf(() => pool.admit(unknownType.bytes))).toBe("TX_UNKNOWN_TYPE");
    const forged = sealTx({ ...other.tx, expires: other.tx.expires + 1 });
    expect(await codeOf(() => pool.admit(forged.bytes))).toBe("TX_BAD_SIGNATURE");
    expect(await codeOf(() => pool.admit(Uint8Array.of(1, 2, 3)))).toBe("TX_MALFORMED");
    expect(pool.size).toBe(0);
  });

  it("answers NOT_READY while catching up, instead of judging expiry by a stale height", async () => {
    // A node restarted at height 10 while the network is at 500: a transaction made for the
    // network's height is valid there, and this node cannot tell yet.
    const forNetwork = tx({ expires: 500 + TX_TTL_MAX });
    const behind = new Mempool(chain(10, new Set(), true), nobleVerifier);
    expect(await codeOf(() => behind.admit(forNetwork.bytes))).toBe("NOT_READY");
    expect(behind.size).toBe(0);
    const caughtUp = new Mempool(chain(500), nobleVerifier);
    expect(await codeOf(() => caughtUp.admit(forNetwork.bytes))).toBe("admitted");
  });

  it("refuses with MEMPOOL_FULL at its count and byte bounds and never grows past them", async () => {
    const byCount = new Mempool(chain(), nobleVerifier, { txsMax: 3, bytesMax: 1 << 20 });
    for (let i = 0; i < 3; i++) await byCount.admit(tx().bytes);
    expect(await codeOf(() => byCount.admit(tx().bytes))).toBe("MEMPOOL_FULL");
    expect(byCount.size).toBe(3);
    const big = tx({ payloadBytes: 1000 });
    const byBytes = new Mempool(chain(), nobleVerifier, {
      txsMax: 100,
      bytesMax: big.bytes.byteLength * 2,
    });
    await byBytes.admit(big.bytes);
    await byBytes.admit(tx({ payloadBytes: 1000 }).bytes);
    expect(await codeOf(() => byBytes.admit(tx({ payloadBytes: 1000 }).bytes))).toBe(
      "MEMPOOL_FULL",
    );
    expect(byBytes.byteSize).toBeLessThanOrEqual(big.bytes.byteLength * 2);
  });
});

describe("Mempool lifecycle", () => {
  it("hands each transaction to one proposal, releases it on an abandoned view, drops it on commit", async () => {
    const pool = new Mempool(chain(), nobleVerifier);
    const ids: string[] = [];
    for (const signed of [tx(), tx(), tx()]) ids.push(toHex((await pool.admit(signed.bytes)).id));
    expect(pool.takeForProposal(10, 2).map((s) => toHex(s.id))).toEqual(ids.slice(0, 2));
    expect(pool.takeForProposal(11, 5).map((s) => toHex(s.id))).toEqual(ids.slice(2));
    pool.releaseProposal(11);
    expect(pool.takeForProposal(11, 5).map((s) => toHex(s.id))).toEqual(ids.slice(2));
    pool.onCommitted(10, ids.slice(0, 2));
    expect(pool.size).toBe(1);
    expect(pool.isVerified(ids[2] as string)).toBe(true);
  });

  it("drops expired transactions when a block at their expiry height commits", async () => {
    const pool = new Mempool(chain(), nobleVerifier);
    await pool.admit(tx({ expires: 12 }).bytes);
    await pool.admit(tx({ expires: 13 }).bytes);
    pool.onCommitted(12, []);
    expect(pool.size).toBe(1);
  });

  it("keeps the expiry index in step with commits, expiries and proposals", async () => {
    const pool = new Mempool(chain(), nobleVerifier);
    const committed = tx({ expires: 20 });
    const sameExpiry = tx({ expires: 20 });
    const later = tx({ expires: 40 });
    for (const signed of [committed, sameExpiry, later]) await pool.admit(signed.bytes);
    // One of the two expiring at 20 commits at 15; the other is still there, then expires.
    pool.onCommitted(15, [toHex(committed.id)]);
    expect([pool.has(toHex(committed.id)), pool.has(toHex(sameExpiry.id))]).toEqual([false, true]);
    pool.onCommitted(25, []);
    expect(pool.has(toHex(sameExpiry.id))).toBe(false);
    expect(pool.size).toBe(1);
    expect(pool.byteSize).toBe(later.bytes.byteLength);
    // Committing an id that already left changes nothing, and the last one expires in turn.
    pool.onCommitted(26, [toHex(committed.id)]);
    expect(pool.takeForProposal(27, 10).map((signed) => toHex(signed.id))).toEqual([
      toHex(later.id),
    ]);
    pool.onCommitted(40, []);
    expect([pool.size, pool.byteSize, pool.hasUnproposed()]).toEqual([0, 0, false]);
  });

  it("reports a transaction late once per timeout, not on every check", async () => {
    let now = 1_000;
    const pool = new Mempool(chain(), nobleVerifier, undefined, () => now);
    expect(pool.takeLate(1_000)).toBe(false);
    await pool.admit(tx().bytes);
    now = 1_900;
    expect(pool.takeLate(1_000)).toBe(false);
    now = 2_100;
    expect(pool.takeLate(1_000)).toBe(true);
    expect(pool.takeLate(1_000)).toBe(false);
    now = 3_200;
    expect(pool.takeLate(1_000)).toBe(true);
  });
});
