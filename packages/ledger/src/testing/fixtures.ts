import {
  type CommitCertificate,
  type Genesis,
  parseGenesis,
  type Signer,
  toHex,
} from "@careledger/protocol";
import { nodeSigner } from "./nodeCrypto.js";

/** A seeded PRNG (mulberry32): tests and benchmarks replay exactly from their seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededKey(label: string, index: number): Uint8Array {
  const seed = new Uint8Array(32);
  const text = new TextEncoder().encode(`${label}:${index}`);
  seed.set(text.subarray(0, 32));
  seed[31] = index & 0xff;
  seed[30] = (index >> 8) & 0xff;
  seed[29] = (index >> 16) & 0xff;
  return seed;
}

export interface TestOrg {
  readonly id: string;
  readonly admin: Signer;
  readonly node: Signer;
}

export interface TestChain {
  readonly genesis: Genesis;
  readonly orgs: readonly TestOrg[];
}

export const GENESIS_TIME = 1_700_000_000_000;

/**
 * A consortium of `orgCount` organizations, each running one validator node: hospitals, unless
 * `kinds` names the kind of some (by index).
 */
export function testChain(
  orgCount = 4,
  checkpointInterval = 10,
  window = 4,
  kinds: readonly string[] = [],
): TestChain {
  const orgs = Array.from({ length: orgCount }, (_, index) => ({
    id: `org-${index}`,
    admin: nodeSigner(seededKey("admin", index)),
    node: nodeSigner(seededKey("node", index)),
  }));
  const genesis = parseGenesis({
    chainName: "test-chain",
    genesisTime: GENESIS_TIME,
    organizations: orgs.map((org) => ({
      id: org.id,
      name: `Hospital ${org.id}`,
      kind: kinds[orgs.indexOf(org)] ?? "hospital",
      adminKeys: [toHex(org.admin.publicKey)],
      nodeKeys: [toHex(org.node.publicKey)],
    })),
    validators: orgs.map((org) => toHex(org.node.publicKey)),
    params: {
      checkpointInterval,
      window,
      emptyBlockIntervalMs: 1000,
      requestTimeoutMs: 10_000,
      viewChangeTimeoutMs: 5000,
      clockSkewMaxMs: 2000,
      blockTxsMax: 10_000,
    },
  });
  return { genesis, orgs };
}

/** The chain the crash test's child process and the test itself both build. */
export const CRASH_TEST_CHAIN = testChain(4, 5, 2);

/** A stand-in certificate: the ledger stores certificates, the node verifies them. */
export function fakeCertificate(height: number, blockHash: Uint8Array): CommitCertificate {
  return { height, view: 0, blockHash, votes: [] };
}
