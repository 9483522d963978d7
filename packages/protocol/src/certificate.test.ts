import { describe, expect, it } from "vitest";
import {
  type CommitCertificate,
  type CommitVote,
  commitSigningBytes,
  verifyCertificate,
} from "./certificate.js";
import { sha256 } from "./hash.js";
import { keySigner, nobleVerifier } from "./keys.js";
import { faultyMax, quorumSize } from "./quorum.js";

const CHAIN = sha256(Uint8Array.of(1));
const OTHER_CHAIN = sha256(Uint8Array.of(2));
const BLOCK = sha256(Uint8Array.of(3));
const HEIGHT = 12;
const VIEW = 2;
const VALIDATOR_COUNT = 4;
const SETS_CHECKED_MAX = 100;
const signers = Array.from({ length: VALIDATOR_COUNT + 1 }, (_, i) =>
  keySigner(new Uint8Array(32).fill(i + 1)),
);
const validators = signers.slice(0, VALIDATOR_COUNT).map((signer) => signer.publicKey);

function vote(index: number, chain = CHAIN, height = HEIGHT, view = VIEW, hash = BLOCK) {
  const signer = signers[index];
  if (!signer) throw new Error(`no signer ${index}`);
  return { validator: index, sig: signer.sign(commitSigningBytes(chain, height, view, hash)) };
}

function certificate(votes: CommitVote[]): CommitCertificate {
  return { height: HEIGHT, view: VIEW, blockHash: BLOCK, votes };
}

const check =
  (cert: CommitCertificate, set = validators, hash = BLOCK) =>
  () =>
    verifyCertificate(cert, hash, set, CHAIN, nobleVerifier);

const invalid = expect.objectContaining({ code: "CERTIFICATE_INVALID" });

describe("quorum", () => {
  it("is ceil((n + f + 1) / 2) for n = 4..10", () => {
    const expected = [3, 4, 4, 5, 6, 6, 7];
    expect([4, 5, 6, 7, 8, 9, 10].map(quorumSize)).toEqual(expected);
    expect([4, 5, 6, 7, 8, 9, 10].map(faultyMax)).toEqual([1, 1, 1, 2, 2, 2, 3]);
  });

  it("makes any two quorums share at least f + 1 validators and stays reachable, n up to 100", () => {
    for (let n = 1; n <= SETS_CHECKED_MAX; n++) {
      const q = quorumSize(n);
      const f = faultyMax(n);
      expect(3 * f + 1).toBeLessThanOrEqual(n);
      // Two quorums of q out of n overlap in at least 2q - n members.
      expect(2 * q - n, `n = ${n}`).toBeGreaterThanOrEqual(f + 1);
      // The f faulty validators cannot block a quorum.
      expect(q, `n = ${n}`).toBeLessThanOrEqual(n - f);
    }
  });
});

describe("verifyCertificate", () => {
  it("accepts a quorum and all validators", () => {
    expect(check(certificate([vote(0), vote(1), vote(3)]))).not.toThrow();
    expect(check(certificate([vote(0), vote(1), vote(2), vote(3)]))).not.toThrow();
  });

  it.each([
    ["too few votes", [vote(0), vote(1)]],
    ["a duplicate signer", [vote(0), vote(1), vote(1)]],
    ["unordered signers", [vote(1), vote(0), vote(2)]],
    ["a signer outside the set", [vote(0), vote(1), vote(4)]],
    ["a bad signature", [vote(0), vote(1), { validator: 2, sig: vote(3).sig }]],
    ["a vote for another block", [vote(0), vote(1), vote(2, CHAIN, HEIGHT, VIEW, sha256(BLOCK))]],
    ["a vote in another view", [vote(0), vote(1), vote(2, CHAIN, HEIGHT, VIEW + 1)]],
    ["a vote at another height", [vote(0), vote(1), vote(2, CHAIN, HEIGHT + 1)]],
    ["a vote on another chain", [vote(0), vote(1), vote(2, OTHER_CHAIN)]],
  ])("refuses %s", (_name, votes) => {
    expect(check(certificate(votes))).toThrow(invalid);
  });

  it("refuses a certificate for another block hash than the one expected", () => {
    expect(check(certificate([vote(0), vote(1), vote(2)]), validators, sha256(BLOCK))).toThrow(
      invalid,
    );
  });

  it("refuses a certificate that claims another view or height than its votes sign", () => {
    const votes = [vote(0), vote(1), vote(2)];
    expect(check({ ...certificate(votes), view: VIEW + 1 })).toThrow(invalid);
    expect(check({ ...certificate(votes), height: HEIGHT - 1 })).toThrow(invalid);
  });

  it("refuses a malformed certificate and an empty validator set", () => {
    const malformed = { ...certificate([vote(0), vote(1), vote(2)]), extra: 1 };
    expect(check(malformed as CommitCertificate)).toThrow(invalid);
    expect(check(certificate([]), [])).toThrow(invalid);
  });
});
