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

function chain(
  height = 10,
  committed = new Set<string>(),
  senders = new Set([toHex(signer.publicKey)]),
  catchingUp = false,
): MempoolChain {
  return {
    chainId: CHAIN,
    nextHeight: () => height,
    catchingUp: () => catchingUp,
    isCommitted: async (signed) => committed.has(toHex(signed.id)),
    checkPayload: (signed) => {
      if (signed.tx.type !== "identity.register") throw new CareLedgerError("TX_UNKNOWN_TYPE");
    },
    checkSender: async (signed) => {
      if (!senders.has(toHex(signed.tx.from))) throw new CareLedgerError("SENDER_UNKNOWN");
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

  it("refuses a sender the chain does not know with SENDER_UNKNOWN, holding nothing", async () => {
    const pool = new Mempool(chain(10, new Set(), new Set()), nobleVerifier);
    expect(await codeOf(() => pool.admit(tx().bytes))).toBe("SENDER_UNKNOWN");
    expect([pool.size, pool.byteSize]).toEqual([0, 0]);
  });

  it("answers NOT_READY while catching up, instead of judging expiry by a stale height", async () => {
    // A node restarted at height 10 while the network is at 500: a transaction made for the
    // network's height is valid there, and this node cannot tell yet.
    const forNetwork = tx({ expires: 500 + TX_TTL_MAX });
    const behind = new Mempool(chain(10, new Set(), undefined, true), nobleVerifier);
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
  it("takes transactions for a proposal within the replica's byte cap, oldest first", async () => {
    const pool = new Mempool(chain(), nobleVerifier);
    const admitted = [tx({ payloadBytes: 1000 }), tx({ payloadBytes: 3000 }), tx()];
    for (const signed of admitted) await pool.admit(signed.bytes);
    const [first, second] = admitted.map((signed) => signed.bytes.byteLength + 9);
    // Exactly the first two fit; one byte less and the second ends the batch (the small third
    // one does not pass it).
    const cap = (first as number) + (second as number);
    expect(pool.takeForProposal(10, 5, cap - 1, 9)).toHaveLength(1);
    pool.releaseProposal(10);
    expect(pool.takeForProposal(10, 5, cap, 9)).toHaveLength(2);
  });

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

  it("gives a proposal's deferred transactions (block full) back for the next proposal", async () => {
    const pool = new Mempool(chain(), nobleVerifier);
    const ids: string[] = [];
    for (const signed of [tx(), tx(), tx()]) ids.push(toHex((await pool.admit(signed.bytes)).id));
    expect(pool.takeForProposal(10, 3)).toHaveLength(3);
    expect(pool.hasUnproposed()).toBe(false);
    pool.unpropose(ids.slice(1));
    expect(pool.takeForProposal(11, 5).map((s) => toHex(s.id))).toEqual(ids.slice(1));
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

  it("keeps a transaction an in-flight parent holds, and proposes it again once that parent is abandoned", async () => {
    const pool = new Mempool(chain(), nobleVerifier);
    const held = toHex((await pool.admit(tx().bytes)).id);
    const committed = toHex((await pool.admit(tx().bytes)).id);
    expect(pool.takeForProposal(10, 5)).toHaveLength(2);
    // A view change: the block at 10 is re-proposed by the new view, the pool hands both out again.
    pool.releaseProposal(10);
    expect(pool.takeForProposal(11, 5)).toHaveLength(2);
    // The proposal at 11 left both out: one because the block at 10 holds it, one as committed.
    pool.leftOut([held, committed], (id) => (id === held ? 10 : null));
    expect([pool.has(held), pool.has(committed), pool.hasUnproposed()]).toEqual([
      true,
      false,
      false,
    ]);
    // A later view abandons the block at 10: the transaction is proposed again, not lost.
    pool.releaseProposal(10);
    expect(pool.takeForProposal(10, 5).map((signed) => toHex(signed.id))).toEqual([held]);
  });
});

const LIMITS = { count: 10, bytesMax: 1 << 20, itemOverheadBytes: 5 };

describe("Mempool request timer", () => {
  it("does not suspect a progressing primary however old the backlog, and fires after a stall", async () => {
    let now = 1_000;
    const pool = new Mempool(chain(), nobleVerifier, undefined, () => now);
    expect(pool.takeLate(1_000)).toBe(false);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(toHex((await pool.admit(tx().bytes)).id));
    now = 1_900;
    pool.onCommitted(11, ids.slice(0, 1));
    // The other two waited 1,800 ms, longer than the timeout, but a commit carried transactions.
    now = 2_800;
    expect(pool.takeLate(1_000)).toBe(false);
    // Blocks without transactions are no progress for the waiting ones.
    pool.onCommitted(12, []);
    now = 3_000;
    expect(pool.takeLate(1_000)).toBe(true);
    expect(pool.takeLate(1_000)).toBe(false);
    now = 4_100;
    expect(pool.takeLate(1_000)).toBe(true);
    // Nothing waits: the timer stops.
    pool.onCommitted(13, ids.slice(1));
    now = 9_000;
    expect(pool.takeLate(1_000)).toBe(false);
  });

  it("suspects a primary that commits others' transactions but never the oldest one", async () => {
    let now = 1_000;
    const pool = new Mempool(chain(), nobleVerifier, undefined, () => now);
    const censored = toHex((await pool.admit(tx().bytes)).id);
    // Commits keep carrying transactions, but never the one the timer runs for.
    for (const [height, at] of [1_300, 1_600, 1_900].entries()) {
      now = at;
      pool.onCommitted(11 + height, [toHex((await pool.admit(tx().bytes)).id)]);
      expect(pool.takeLate(1_000)).toBe(false);
    }
    now = 2_100;
    pool.onCommitted(14, [toHex((await pool.admit(tx().bytes)).id)]);
    expect(pool.takeLate(1_000)).toBe(true);
    expect(pool.has(censored)).toBe(true);
  });

  it("gossips again what waits through a stall, once per age, before the timeout", async () => {
    let now = 1_000;
    const pool = new Mempool(chain(), nobleVerifier, undefined, () => now);
    const signed = await pool.admit(tx().bytes);
    now = 1_400;
    expect(pool.takeForRegossip(500, LIMITS)).toEqual([]);
    now = 1_600;
    expect(pool.takeForRegossip(500, LIMITS).map(toHex)).toEqual([toHex(signed.bytes)]);
    now = 1_900;
    expect(pool.takeForRegossip(500, LIMITS)).toEqual([]);
    now = 2_200;
    expect(pool.takeForRegossip(500, LIMITS).map(toHex)).toEqual([toHex(signed.bytes)]);
  });

  it("gossips again no more than one frame holds, and the rest at the next check", async () => {
    let now = 1_000;
    const pool = new Mempool(chain(), nobleVerifier, undefined, () => now);
    const txs = [tx(), tx(), tx()];
    for (const signed of txs) await pool.admit(signed.bytes);
    const [first, second] = txs.map((signed) => signed.bytes.byteLength + LIMITS.itemOverheadBytes);
    const frame = { ...LIMITS, bytesMax: (first as number) + (second as number) };
    now = 1_600;
    expect(pool.takeForRegossip(500, frame)).toHaveLength(2);
    expect(pool.takeForRegossip(500, frame)).toHaveLength(1);
  });

  it("gossips again a transaction that later ones overtook, and not the rest of a backlog", async () => {
    let now = 1_000;
    const pool = new Mempool(chain(), nobleVerifier, undefined, () => now);
    const txs = [tx(), tx(), tx()];
    for (const signed of txs) await pool.admit(signed.bytes);
    const [stranded, later, backlog] = txs.map((signed) => toHex(signed.id));
    // The second committed before the first: the first's gossip may never have reached the primary.
    now = 1_100;
    pool.onCommitted(11, [later as string]);
    now = 1_500;
    expect(pool.takeForRegossip(500, LIMITS)).toEqual([]);
    // Others' transactions keep committing (progress), the overtaken one still waits.
    now = 1_650;
    pool.onCommitted(12, ["ab".repeat(32)]);
    now = 1_700;
    expect(pool.takeForRegossip(500, LIMITS).map(toHex)).toEqual([
      toHex((txs[0] as SignedTx).bytes),
    ]);
    expect([pool.has(stranded as string), pool.has(backlog as string)]).toEqual([true, true]);
    // Gossiped again at half the request timeout, before the timer suspects the primary.
    expect(pool.takeLate(1_000)).toBe(false);
  });
});
