import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger } from "@careledger/ledger";
import {
  type CommitCertificate,
  commitSigningBytes,
  encode,
  type Genesis,
  generateSecretKey,
  type Signer,
  signTx,
  toHex,
} from "@careledger/protocol";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { testGenesis } from "../genesis.testkit.js";
import { nodeCryptoSigner } from "../signer.js";
import { sodiumVerifier } from "../verifier.js";
import { StateSync } from "./stateSync.js";
import {
  decodeStateSyncMessage,
  encodeStateSyncMessage,
  type StateSyncMessage,
} from "./stateSyncMessages.js";
import { serveStateSync } from "./stateSyncServe.js";

const VALIDATORS = 4;
const QUORUM = 3;
const INTERVAL = 20;
const BLOCKS = 45;
const TXS_PER_BLOCK = 20;
/** Small chunks, so a few hundred keys take many requests over nodes and leaves. */
const CHUNK_KEYS = 32;

const admins = Array.from({ length: VALIDATORS }, () => nodeCryptoSigner(generateSecretKey()));
const nodes = Array.from({ length: VALIDATORS }, () => nodeCryptoSigner(generateSecretKey()));
const outsiders = Array.from({ length: VALIDATORS }, () => nodeCryptoSigner(generateSecretKey()));
const genesis: Genesis = testGenesis("state-sync-test", nodes, admins, 10_000);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function openLedger(label: string): Promise<Ledger> {
  const dir = mkdtempSync(join(tmpdir(), `careledger-statesync-${label}-`));
  const ledger = await Ledger.open(dir, genesis, {
    verifier: sodiumVerifier,
    snapshotIntervalHeights: INTERVAL,
    snapshotChunkKeysMax: CHUNK_KEYS,
  });
  cleanups.push(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return ledger;
}

function certify(chainId: Uint8Array, height: number, hash: Uint8Array, by: readonly Signer[]) {
  const message = commitSigningBytes(chainId, height, 0, hash);
  const votes = by.slice(0, QUORUM).map((node, validator) => ({
    validator,
    sig: node.sign(message),
  }));
  return { height, view: 0, blockHash: hash, votes } satisfies CommitCertificate;
}

/** A chain of identity registrations, certified by the genesis validators. */
async function sourceChain(): Promise<{ ledger: Ledger; roots: string[] }> {
  const ledger = await openLedger("source");
  const roots = [toHex(ledger.head.stateRoot)];
  let nonce = 0;
  for (let height = 1; height <= BLOCKS; height++) {
    const txs = Array.from({ length: TXS_PER_BLOCK }, () => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setUint32(4, ++nonce);
      const key = nodeCryptoSigner(generateSecretKey()).publicKey;
      const payload = { key, org: "org-0", roles: ["clinician"] };
      const unsigned = { v: 1 as const, chain: ledger.chainId, type: "identity.register" };
      return signTx(
        { ...unsigned, nonce: bytes, expires: height + 100, payload },
        admins[0] as Signer,
      );
    });
    const proposer = (nodes[0] as Signer).publicKey;
    const time = ledger.head.time + 1000;
    const { block, result } = await ledger.buildBlock({ height, view: 0, proposer, time, txs });
    await ledger.commit(block, certify(ledger.chainId, height, result.hash, nodes), result);
    roots.push(toHex(ledger.head.stateRoot));
  }
  return { ledger, roots };
}

type Tamper = (message: StateSyncMessage) => StateSyncMessage;

/** A fresh node state-syncing from peers that serve `source`, each through its `tamper`. */
async function syncFrom(source: Ledger, peers: Record<string, Tamper>) {
  const ledger = await openLedger("fresh");
  const misbehaved: string[] = [];
  const outcomes: string[] = [];
  const fetcher: StateSync = new StateSync({
    ledger,
    verifier: sodiumVerifier,
    trusted: (await ledger.consensusConfig()).validators,
    peers: () => Object.keys(peers),
    send: (to, bytes) => {
      setImmediate(() => {
        serveStateSync(source, decodeStateSyncMessage(bytes), (reply) => {
          const message = (peers[to] as Tamper)(decodeStateSyncMessage(reply));
          // Through the wire encoding both ways, as the network carries it.
          const copy = decodeStateSyncMessage(encodeStateSyncMessage(message));
          setImmediate(() => fetcher.onMessage(to, copy));
        }).catch((error: unknown) => outcomes.push(`serve failed: ${String(error)}`));
      });
    },
    misbehaved: (peer) => misbehaved.push(peer),
    chunk: (outcome) => outcomes.push(outcome),
    log: pino({ level: "silent" }),
    chunkTimeoutMs: 2_000,
    offersWaitMsMax: 5_000,
  });
  const outcome = await fetcher.run();
  return { ledger, outcome, misbehaved, outcomes };
}

const honest: Tamper = (message) => message;

/** Changes one byte of one value of every leaves chunk. */
const liar: Tamper = (message) => {
  if (message.kind !== "chunk" || message.chunk?.kind !== "leaves") return message;
  const [first, ...rest] = message.chunk.entries;
  if (first === undefined) return message;
  const value = Uint8Array.from(first.value);
  value[value.length - 1] = (value[value.length - 1] as number) ^ 1;
  return { ...message, chunk: { kind: "leaves", entries: [{ key: first.key, value }, ...rest] } };
};

/** Offers the real snapshot under a certificate of keys that are not the validators. */
const forger: Tamper = (message) => {
  if (message.kind !== "offer") return message;
  const { header } = message.offer.block;
  const hash = message.offer.certificate.blockHash;
  const certificate = certify(header.chain, header.height, hash, outsiders);
  return { kind: "offer", offer: { ...message.offer, certificate } };
};

describe("state sync", () => {
  it("restores the newest snapshot past a lying and a forging peer, re-fetching their chunks", async () => {
    const { ledger: source, roots } = await sourceChain();
    const { ledger, outcome, misbehaved, outcomes } = await syncFrom(source, {
      honest,
      liar,
      forger,
    });
    expect(outcome?.height).toBe(40);
    expect(ledger.head.height).toBe(40);
    expect(toHex(ledger.head.stateRoot)).toBe(roots[40]);
    expect(outcome?.keys).toBeGreaterThan(40 * TXS_PER_BLOCK);
    expect(misbehaved).toContain("forger");
    expect(misbehaved).toContain("liar");
    expect(outcomes).toContain("invalid");
    // Nothing of block 1 to 39 is there: the state came whole, not by replay.
    expect(await ledger.reads.block(1)).toBeNull();
    expect((await ledger.reads.block(40))?.certificate?.height).toBe(40);
  }, 60_000);

  it("writes nothing and gives up when the only peer lies", async () => {
    const { ledger: source } = await sourceChain();
    const { ledger, outcome, misbehaved } = await syncFrom(source, { liar });
    expect(outcome).toBeNull();
    expect(misbehaved).toEqual(["liar"]);
    expect(ledger.head.height).toBe(0);
  }, 60_000);
});

describe("state sync messages", () => {
  const path = "\u0001\u0010";
  it("round-trip every kind", () => {
    const messages: StateSyncMessage[] = [
      { kind: "offerRequest" },
      { kind: "noOffer" },
      { kind: "chunkRequest", height: 7, path },
      { kind: "chunk", height: 7, path, chunk: null },
      { kind: "chunk", height: 7, path, chunk: { kind: "node", node: new Uint8Array(37) } },
      {
        kind: "chunk",
        height: 7,
        path,
        chunk: { kind: "leaves", entries: [{ key: "gov/params", value: Uint8Array.of(1) }] },
      },
    ];
    for (const message of messages) {
      expect(decodeStateSyncMessage(encodeStateSyncMessage(message))).toEqual(message);
    }
  });

  it("refuses chunks over the bounds, of both kinds, or with a long path", () => {
    const bytes = Uint8Array.of(1);
    const tooMany = Array.from({ length: 4_097 }, (_, i) => [`k${i}`, bytes]);
    const refused = [
      { kind: "chunk", height: 1, path: Uint8Array.of(0), leaves: tooMany },
      { kind: "chunk", height: 1, path: Uint8Array.of(0), leaves: [["k", bytes]], node: bytes },
      { kind: "chunk", height: 1, path: new Uint8Array(34) },
      { kind: "chunk", height: 1, path: Uint8Array.of(0), node: new Uint8Array(518) },
      { kind: "chunkRequest", height: -1, path: Uint8Array.of(0) },
      { kind: "offer", block: bytes },
    ];
    for (const value of refused) {
      expect(() => decodeStateSyncMessage(encode(value as never))).toThrow(
        expect.objectContaining({ code: "ENCODING_INVALID" }),
      );
    }
  });
});
