import {
  CareLedgerError,
  type SignedTx,
  TX_TTL_MAX,
  generateSecretKey,
  keySigner,
  nobleVerifier,
  sealTx,
  signTx,
  toHex,
} from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { Mempool, type MempoolChain } from "./mempool.js";

const CHAIN = new Uint8Array(32).fill(4);
const signer = keySigner(generateSecretKey());
let nonceCounter = 0;

function tx(overrides: { expires?: number; chain?: Uint8Array; payloadBytes?: number } = {}): SignedTx {
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

function chain(height = 10, committed = new Set<string>()): MempoolChain {
  return {
    chainId: CHAIN,
    nextHeight: () => height,
    isCommitted: (id) => committed.has(id),
    checkPayload: (signed) => {
      if (signed.tx.type !== "identity.register") throw new CareLedgerError("TX_UNKNOWN_TYPE");
    },
  };
}

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof CareLedgerError) return error.code;
    throw error;
  }
  return "admitted";
}

describe("Mempool admission", () => {
  it("admits a valid transaction once, then refuses it as a duplicate", () => {
    const pool = new Mempool(chain(), nobleVerifier);
    const signed = tx();
    expect(toHex(pool.admit(signed.bytes).id)).toBe(toHex(signed.id));
    expect(codeOf(() => pool.admit(signed.bytes))).toBe("TX_DUPLICATE");
    expect(pool.size).toBe(1);
  });

  it("refuses committed, expired, too-far, wrong-chain, unknown-type and badly signed transactions", () => {
    const committed = tx();
    const pool = new Mempool(chain(10, new Set([toHex(committed.id)])), nobleVerifier);
    expect(codeOf(() => pool.admit(committed.bytes))).toBe("TX_DUPLICATE");
    expect(codeOf(() => pool.admit(tx({ expires: 9 }).bytes))).toBe("TX_EXPIRED");
    expect(codeOf(() => pool.admit(tx({ expires: 10 + TX_TTL_MAX + 1 }).bytes))).toBe("TX_EXPIRY_TOO_FAR");
    expect(codeOf(() => pool.admit(tx({ chain: new Uint8Array(32) }).bytes))).toBe("TX_WRONG_CHAIN");
    const other = tx();
    const unknownType = sealTx({ ...other.tx, type: "nothing.here" });
    expect(codeOf(() => pool.admit(unknownType.bytes))).toBe("TX_UNKNOWN_TYPE");
    const forged = sealTx({ ...other.tx, expires: other.tx.expires + 1 });
    expect(codeOf(() => pool.admit(forged.bytes))).toBe("TX_BAD_SIGNATURE");
    expect(codeOf(() => pool.admit(Uint8Array.of(1, 2, 3)))).toBe("TX_MALFORMED");
    expect(pool.size).toBe(0);
  });

  it("refuses with MEMPOOL_FULL at its count and byte bounds and never grows past them", () => {
    const byCount = new Mempool(chain(), nobleVerifier, { txsMax: 3, bytesMax: 1 << 20 });
    for (let i = 0; i < 3; i++) byCount.admit(tx().bytes);
    expect(codeOf(() => byCount.admit(tx().bytes))).toBe("MEMPOOL_FULL");
    expect(byCount.size).toBe(3);
    const big = tx({ payloadBytes: 1000 });
    const byBytes = new Mempool(chain(), nobleVerifier, { txsMax: 100, bytesMax: big.bytes.byteLength * 2 });
    byBytes.admit(big.bytes);
    byBytes.admit(tx({ payloadBytes: 1000 }).bytes);
    expect(codeOf(() => byBytes.admit(tx({ payloadBytes: 1000 }).bytes))).toBe("MEMPOOL_FULL");
    expect(byBytes.byteSize).toBeLessThanOrEqual(big.bytes.byteLength * 2);
  });
});

describe("Mempool lifecycle", () => {
  it("hands each transaction to one proposal, releases it on an abandoned view, drops it on commit", () => {
    const pool = new Mempool(chain(), nobleVerifier);
    const ids = [tx(), tx(), tx()].map((signed) => toHex(pool.admit(signed.bytes).id));
    expect(pool.takeForProposal(10, 2).map((s) => toHex(s.id))).toEqual(ids.slice(0, 2));
    expect(pool.takeForProposal(11, 5).map((s) => toHex(s.id))).toEqual(ids.slice(2));
    pool.releaseProposal(11);
    expect(pool.takeForProposal(11, 5).map((s) => toHex(s.id))).toEqual(ids.slice(2));
    pool.onCommitted(10, ids.slice(0, 2));
    expect(pool.size).toBe(1);
    expect(pool.isVerified(ids[2] as string)).toBe(true);
  });

  it("drops expired transactions when a block at their expiry height commits", () => {
    const pool = new Mempool(chain(), nobleVerifier);
    pool.admit(tx({ expires: 12 }).bytes);
    pool.admit(tx({ expires: 13 }).bytes);
    pool.onCommitted(12, []);
    expect(pool.size).toBe(1);
  });

  it("reports how long the oldest transaction has waited", () => {
    let now = 1_000;
    const pool = new Mempool(chain(), nobleVerifier, undefined, () => now);
    expect(pool.oldestWaitMs()).toBe(0);
    pool.admit(tx().bytes);
    now = 4_500;
    expect(pool.oldestWaitMs()).toBe(3_500);
  });
});
