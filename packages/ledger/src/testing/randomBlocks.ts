import { type SignedTx, type Signer, signTx, TX_TTL_MAX } from "@careledger/protocol";
import type { Ledger } from "../ledger.js";
import { fakeCertificate, prng, seededKey, type TestChain } from "./fixtures.js";
import { nodeSigner } from "./nodeCrypto.js";

/**
 * The transactions of block `height` of a seeded random chain: mostly registrations, with
 * revocations, duplicate registrations and unauthorized ones (failed receipts), and governance
 * proposals and votes. A pure function of (seed, height), so a replay builds the same blocks.
 */
export function randomTxs(
  chain: TestChain,
  chainId: Uint8Array,
  seed: number,
  height: number,
  count: number,
): SignedTx[] {
  const random = prng(seed * 1_000_003 + height);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const keyOf = (h: number, i: number) => userSigner(`user-${seed}-${h}`, i);
  const txs: SignedTx[] = [];
  const sign = (type: string, payload: Parameters<typeof signTx>[0]["payload"], by: Signer) => {
    const nonce = new Uint8Array(8).map(() => Math.floor(random() * 256));
    const expires = height + 1 + Math.floor(random() * (TX_TTL_MAX - 1));
    txs.push(signTx({ v: 1, chain: chainId, type, nonce, expires, payload }, by));
  };
  for (let i = 0; i < count; i++) {
    const org = pick(chain.orgs);
    const roll = random();
    const earlier =
      height > 1 ? keyOf(1 + Math.floor(random() * (height - 1)), 0) : keyOf(height, i);
    if (roll < 0.7) {
      const key = keyOf(height, i).publicKey;
      sign("identity.register", { key, org: org.id, roles: ["patient"] }, org.admin);
    } else if (roll < 0.8) {
      // Often already registered, or by another org's admin: a failed receipt either way.
      sign(
        "identity.register",
        { key: earlier.publicKey, org: org.id, roles: ["staff"] },
        org.admin,
      );
    } else if (roll < 0.9) {
      sign("identity.revoke", { key: earlier.publicKey }, random() < 0.5 ? earlier : org.admin);
    } else if (roll < 0.95) {
      const change = {
        kind: "param.set",
        name: "blockTxsMax",
        value: 1 + Math.floor(random() * 9000),
      };
      sign("gov.propose", { org: org.id, change, expiresAt: 2_000_000_000_000 }, org.admin);
    } else {
      const proposal = txs.find((tx) => tx.tx.type === "gov.propose");
      const id = proposal ? Buffer.from(proposal.id).toString("hex") : "00".repeat(32);
      sign("gov.vote", { proposal: id, org: org.id, approve: random() < 0.8 }, org.admin);
    }
  }
  return txs;
}

/** Deriving a public key costs about half a millisecond: each user's signer is made once. */
const signers = new Map<string, Signer>();
/** Bound on memoized signers, so long runs do not grow without end. */
const SIGNERS_MAX = 100_000;

function userSigner(label: string, index: number): Signer {
  const name = `${label}/${index}`;
  let signer = signers.get(name);
  if (signer === undefined) {
    if (signers.size >= SIGNERS_MAX) signers.clear();
    signer = nodeSigner(seededKey(label, index));
    signers.set(name, signer);
  }
  return signer;
}

/** Builds and commits the next block of the seeded chain on top of the ledger's head. */
export async function commitRandomBlock(
  ledger: Ledger,
  chain: TestChain,
  seed: number,
  txCount: number,
): Promise<void> {
  const height = ledger.head.height + 1;
  const txs = randomTxs(chain, ledger.chainId, seed, height, txCount);
  const proposer = chain.orgs[height % chain.orgs.length]?.node.publicKey as Uint8Array;
  const built = await ledger.buildBlock({
    height,
    view: 0,
    proposer,
    time: ledger.head.time + 1000,
    txs,
  });
  await ledger.commit(built.block, fakeCertificate(height, built.result.hash), built.result);
}
