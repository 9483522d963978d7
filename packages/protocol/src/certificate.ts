import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { bytesEqual } from "./encoding.js";
import { CareLedgerError } from "./errors.js";
import { HASH_BYTES } from "./hash.js";
import { SIGNATURE_BYTES, type Verifier } from "./keys.js";
import { VALIDATORS_MAX } from "./limits.js";
import { quorumSize } from "./quorum.js";
import { signingBytes } from "./signing.js";
import type { ValidatorSet } from "./validators.js";

export const CommitVoteSchema = Type.Object(
  {
    /** The signer's index in the validator set of the certified height. */
    validator: Type.Integer({ minimum: 0, maximum: VALIDATORS_MAX - 1 }),
    sig: Type.Uint8Array({ minByteLength: SIGNATURE_BYTES, maxByteLength: SIGNATURE_BYTES }),
  },
  { additionalProperties: false },
);

/**
 * Proof that a block is final: a quorum of COMMIT signatures, each over
 * `["commit", chainId, [height, view, blockHash]]`, by distinct validators of that height,
 * listed in ascending validator order so one certificate has one encoding.
 */
export const CommitCertificateSchema = Type.Object(
  {
    height: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    view: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    blockHash: Type.Uint8Array({ minByteLength: HASH_BYTES, maxByteLength: HASH_BYTES }),
    votes: Type.Array(CommitVoteSchema, { maxItems: VALIDATORS_MAX }),
  },
  { additionalProperties: false },
);

export type CommitVote = Static<typeof CommitVoteSchema>;
export type CommitCertificate = Static<typeof CommitCertificateSchema>;

const certificateCheck = TypeCompiler.Compile(CommitCertificateSchema);

/** The bytes a validator signs to commit a block; the consensus COMMIT message signs these. */
export function commitSigningBytes(
  chainId: Uint8Array,
  height: number,
  view: number,
  hash: Uint8Array,
): Uint8Array {
  return signingBytes("commit", chainId, [height, view, hash]);
}

/**
 * Checks a certificate for `expectedHash` at its height against the validator set of that height.
 * Throws `CERTIFICATE_INVALID` with the reason; returns nothing when it holds.
 */
export function verifyCertificate(
  certificate: CommitCertificate,
  expectedHash: Uint8Array,
  validators: ValidatorSet,
  chainId: Uint8Array,
  verifier: Verifier,
): void {
  const fail = (reason: string): never => {
    throw new CareLedgerError("CERTIFICATE_INVALID", reason);
  };
  if (!certificateCheck.Check(certificate)) fail("malformed certificate");
  if (!bytesEqual(certificate.blockHash, expectedHash)) fail("certifies another block");
  // quorumSize(0) is 0: without this, an empty set would accept a certificate with no votes.
  if (validators.length === 0) fail("empty validator set");
  const needed = quorumSize(validators.length);
  if (certificate.votes.length < needed) {
    fail(`${certificate.votes.length} votes, quorum is ${needed}`);
  }
  const message = commitSigningBytes(chainId, certificate.height, certificate.view, expectedHash);
  let previous = -1;
  for (const vote of certificate.votes) {
    if (vote.validator <= previous) fail("votes not in ascending validator order");
    previous = vote.validator;
    const key = validators[vote.validator];
    if (key === undefined) fail(`validator ${vote.validator} is not in the set`);
    if (!verifier.verify(key as Uint8Array, message, vote.sig)) {
      fail(`signature of validator ${vote.validator} does not verify`);
    }
  }
}
