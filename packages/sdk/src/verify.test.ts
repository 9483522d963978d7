import {
  CareLedgerError,
  encode,
  HASH_BYTES,
  type MerkleProof,
  merkleProof,
  type StateProof,
  sha256,
} from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { certifiedBlock, certify, TestStateTree, testChain } from "./chain.testkit.js";
import { nextTrustAnchor, verifyBlock, verifyStateInclusion, verifyTxInclusion } from "./verify.js";
import type { BlockInfo } from "./wire.js";

const chain = testChain(4);
const trust = { chainId: chain.chainId, validators: chain.validators };
const txIds = Array.from({ length: 5 }, (_, i) => sha256(Uint8Array.of(i)));
const tree = new TestStateTree();
const entries = Array.from({ length: 20 }, (_, i) => [`identity/${i}`, encode({ n: i })] as const);
for (const [key, value] of entries) tree.set(key, value);
const block = certifiedBlock(chain, {
  height: 7,
  prevHash: new Uint8Array(HASH_BYTES),
  txIds,
  stateRoot: tree.root(),
});

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CareLedgerError) return error.code;
    throw error;
  }
  return "accepted";
}

function flipped(bytes: Uint8Array, index = 0): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] ?? 0) ^ 1;
  return copy;
}

describe("verifyBlock", () => {
  it("accepts a header certified by a quorum of the trusted set", () => {
    expect(verifyBlock(block, trust)).toBe(block.header);
  });

  it("rejects tampered headers, hashes and certificates", () => {
    const certificate = block.certificate as NonNullable<BlockInfo["certificate"]>;
    const votes = certificate.votes;
    const tampered: Record<string, BlockInfo> = {
      stateRoot: {
        ...block,
        header: { ...block.header, stateRoot: flipped(block.header.stateRoot) },
      },
      claimedHash: { ...block, hash: flipped(block.hash) },
      height: { ...block, height: 8 },
      signature: {
        ...block,
        certificate: {
          ...certificate,
          votes: votes.map((vote, i) => (i === 1 ? { ...vote, sig: flipped(vote.sig, 5) } : vote)),
        },
      },
      tooFewVotes: { ...block, certificate: { ...certificate, votes: votes.slice(1) } },
      repeatedVote: {
        ...block,
        certificate: { ...certificate, votes: [votes[0], votes[0], votes[1]] as typeof votes },
      },
      outsider: {
        ...block,
        certificate: {
          ...certificate,
          votes: [...votes.slice(0, 2), { validator: 9, sig: (votes[2] as (typeof votes)[0]).sig }],
        },
      },
      otherView: { ...block, certificate: certify(chain, 7, 1, flipped(block.hash)) },
      otherHeight: { ...block, certificate: certify(chain, 6, 0, block.hash) },
      noCertificate: { ...block, certificate: null },
    };
    for (const [what, candidate] of Object.entries(tampered)) {
      expect([what, codeOf(() => verifyBlock(candidate, trust))]).toEqual([
        what,
        expect.stringMatching(/^(CERTIFICATE_INVALID|BLOCK_INVALID)$/),
      ]);
    }
  });

  it("rejects a certificate when the trust anchor is another chain or another validator set", () => {
    const other = testChain(4);
    expect(codeOf(() => verifyBlock(block, { ...trust, chainId: other.chainId }))).toBe(
      "CERTIFICATE_INVALID",
    );
    expect(codeOf(() => verifyBlock(block, { ...trust, validators: other.validators }))).toBe(
      "CERTIFICATE_INVALID",
    );
    // A block of another chain, however well signed by its own validators, is not ours.
    const foreign = certifiedBlock(other, {
      height: 7,
      prevHash: block.header.prevHash,
      txIds,
      stateRoot: block.header.stateRoot,
    });
    expect(codeOf(() => verifyBlock(foreign, trust))).toBe("CERTIFICATE_INVALID");
  });
});

describe("nextTrustAnchor", () => {
  it("follows a validator-set change announced in a verified header, and only that one", () => {
    const successor = testChain(5);
    const next = { ...successor, chainId: chain.chainId };
    const handover = certifiedBlock(chain, {
      height: 8,
      prevHash: block.hash,
      txIds: [],
      stateRoot: tree.root(),
      nextValidators: next.validators,
    });
    const header = verifyBlock(handover, trust);
    const stranger = testChain(5);
    expect(codeOf(() => nextTrustAnchor(trust, header, stranger.validators))).toBe(
      "CERTIFICATE_INVALID",
    );
    expect(codeOf(() => nextTrustAnchor(trust, header, chain.validators))).toBe(
      "CERTIFICATE_INVALID",
    );
    const advanced = nextTrustAnchor(trust, header, next.validators);
    const after = certifiedBlock(next, {
      height: 9,
      prevHash: handover.hash,
      txIds: [],
      stateRoot: tree.root(),
    });
    expect(verifyBlock(after, advanced).height).toBe(9);
    // The old set no longer certifies blocks after the change.
    expect(codeOf(() => verifyBlock(after, trust))).toBe("CERTIFICATE_INVALID");
  });
});

describe("verifyTxInclusion", () => {
  it("accepts each transaction's proof and rejects tampered ones", () => {
    txIds.forEach((id, index) => {
      const proof = merkleProof(txIds, index);
      expect(codeOf(() => verifyTxInclusion(block.header, id, proof))).toBe("accepted");
    });
    const proof = merkleProof(txIds, 2);
    const id = txIds[2] as Uint8Array;
    const bad: Record<string, [Uint8Array, MerkleProof]> = {
      otherId: [sha256(Uint8Array.of(99)), proof],
      otherIndex: [id, { ...proof, index: 3 }],
      otherTotal: [id, { ...proof, total: 4 }],
      sibling: [
        id,
        { ...proof, siblings: proof.siblings.map((s, i) => (i === 0 ? flipped(s) : s)) },
      ],
      extraSibling: [id, { ...proof, siblings: [...proof.siblings, sha256(id)] }],
    };
    for (const [what, [candidate, candidateProof]] of Object.entries(bad)) {
      expect([
        what,
        codeOf(() => verifyTxInclusion(block.header, candidate, candidateProof)),
      ]).toEqual([what, "PROOF_INVALID"]);
    }
  });
});

describe("verifyStateInclusion", () => {
  it("accepts present values and proven absences against the certified state root", () => {
    for (const [key, value] of entries) {
      expect(codeOf(() => verifyStateInclusion(block.header, key, value, tree.prove(key)))).toBe(
        "accepted",
      );
    }
    const absent = "identity/nobody";
    expect(codeOf(() => verifyStateInclusion(block.header, absent, null, tree.prove(absent)))).toBe(
      "accepted",
    );
  });

  it("rejects wrong values, denied presences, claimed absences and tampered paths", () => {
    const [key, value] = entries[3] as (typeof entries)[number];
    const proof = tree.prove(key);
    expect(proof.siblings.length).toBeGreaterThan(0);
    const siblings = proof.siblings.map((s, i) =>
      i === proof.siblings.length - 1 ? flipped(s) : s,
    );
    const bad: Record<string, [string, Uint8Array | null, StateProof]> = {
      otherValue: [key, encode({ n: 999 }), proof],
      claimedAbsent: [key, null, proof],
      otherKey: ["identity/nobody", value, proof],
      sibling: [key, value, { ...proof, siblings }],
      shortPath: [key, value, { ...proof, siblings: proof.siblings.slice(1) }],
      absentWithValue: ["identity/nobody", value, tree.prove("identity/nobody")],
    };
    for (const [what, [candidateKey, candidateValue, candidateProof]] of Object.entries(bad)) {
      const run = () =>
        verifyStateInclusion(block.header, candidateKey, candidateValue, candidateProof);
      expect([what, codeOf(run)]).toEqual([what, "PROOF_INVALID"]);
    }
  });
});
