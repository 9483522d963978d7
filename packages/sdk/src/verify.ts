import {
  blockHash,
  bytesEqual,
  CareLedgerError,
  decodeReceipt,
  type Header,
  type MerkleProof,
  merkleRoot,
  nobleVerifier,
  type Receipt,
  type StateProof,
  toHex,
  type ValidatorSet,
  type Verifier,
  validatorsHash,
  verifyCertificate,
  verifyMerkleProof,
  verifyReceiptProof,
  verifyStateProof,
} from "@careledger/protocol";
import type { BlockInfo } from "./wire.js";

/**
 * Light-client checks: an application trusts a chain id and a validator set (from the genesis
 * file, or a set it checked before), and with them can check any answer a node gives without
 * trusting that node. All hashing and signature checks are the protocol's; noble verifies.
 */

export interface TrustAnchor {
  readonly chainId: Uint8Array;
  /** The validator set of the heights being checked, in genesis order. */
  readonly validators: ValidatorSet;
  /** Signature checks; noble's (browser-safe) by default. */
  readonly verifier?: Verifier;
}

/**
 * Checks that a block is final on the trusted chain: its header hashes to the claimed hash, names
 * the trusted chain and validator set, a quorum of that set signed its commit certificate, and
 * its list of transaction ids is exactly the one the header's txRoot commits to. Returns the
 * header, which can then anchor transaction, receipt and state proofs.
 */
export function verifyBlock(block: BlockInfo, trust: TrustAnchor): Header {
  const header = block.header;
  const hash = blockHash(header);
  const fail = (reason: string): never => {
    throw new CareLedgerError("CERTIFICATE_INVALID", reason, { height: header.height });
  };
  if (!bytesEqual(hash, block.hash)) fail("header does not hash to the block's hash");
  if (header.height !== block.height) fail("header height differs from the block's");
  if (!bytesEqual(header.chain, trust.chainId)) fail("header is for another chain");
  if (!bytesEqual(header.validatorsHash, validatorsHash(trust.validators))) {
    fail("header names another validator set");
  }
  const certificate = block.certificate;
  if (certificate === null) return fail("block has no commit certificate");
  if (certificate.height !== header.height) fail("certificate is for another height");
  verifyCertificate(
    certificate,
    hash,
    trust.validators,
    trust.chainId,
    trust.verifier ?? nobleVerifier,
  );
  verifyTxIds(header, block.txIds);
  return header;
}

/**
 * Checks that `txIds` is the whole, ordered list under the header's txRoot: the list reproduces
 * the root. A Merkle proof alone does not fix the tree's size, so a node could otherwise drop,
 * add or reorder ids in a block's index.
 */
export function verifyTxIds(header: Header, txIds: readonly Uint8Array[]): void {
  if (!bytesEqual(merkleRoot(txIds), header.txRoot)) {
    throw new CareLedgerError("PROOF_INVALID", `txIds do not reproduce txRoot of ${header.height}`);
  }
}

/**
 * Checks that `receiptBytes` is the receipt of transaction `id` in the block of `header`, whose
 * txIds were verified against its txRoot: the receipt names the transaction, the proof sits at
 * the transaction's index in a tree of exactly that many receipts, and it leads to
 * `receiptsRoot`. Returns the decoded receipt.
 */
export function verifyReceiptInclusion(
  header: Header,
  verifiedTxIds: readonly Uint8Array[],
  id: Uint8Array,
  receiptBytes: Uint8Array,
  proof: MerkleProof,
): Receipt {
  const fail = (reason: string): never => {
    throw new CareLedgerError("PROOF_INVALID", reason, { height: header.height, id: toHex(id) });
  };
  const index = verifiedTxIds.findIndex((each) => bytesEqual(each, id));
  if (index < 0) fail(`tx ${toHex(id)} is not in block ${header.height}`);
  if (proof.index !== index || proof.total !== verifiedTxIds.length) {
    fail("receipt proof is not at the transaction's place in the block");
  }
  const receipt = decodeReceipt(receiptBytes);
  if (!bytesEqual(receipt.tx, id)) fail("receipt is another transaction's");
  if (!verifyReceiptProof(header.receiptsRoot, receiptBytes, proof)) {
    fail(`receipt of tx ${toHex(id)} does not lead to receiptsRoot`);
  }
  return receipt;
}

/**
 * The trust anchor for the heights after a header already verified: `validators` (from any
 * source, such as a node's status) are accepted only if they hash to the header's certified
 * `nextValidatorsHash`. A light client walks validator-set changes this way, one header at a time.
 */
export function nextTrustAnchor(
  trust: TrustAnchor,
  verifiedHeader: Header,
  validators: ValidatorSet,
): TrustAnchor {
  if (!bytesEqual(validatorsHash(validators), verifiedHeader.nextValidatorsHash)) {
    throw new CareLedgerError(
      "CERTIFICATE_INVALID",
      `validators are not the set announced at height ${verifiedHeader.height}`,
    );
  }
  return { ...trust, validators };
}

/** Checks that transaction `id` is in the block of `header` (Merkle path to `txRoot`). */
export function verifyTxInclusion(header: Header, id: Uint8Array, proof: MerkleProof): void {
  if (!verifyMerkleProof(header.txRoot, id, proof)) {
    throw new CareLedgerError("PROOF_INVALID", `tx ${toHex(id)} is not in block ${header.height}`);
  }
}

/**
 * Checks that state `key` holds `value` (canonical bytes), or with null is absent, in the state
 * after the block of `header` (sparse Merkle path to `stateRoot`).
 */
export function verifyStateInclusion(
  header: Header,
  key: string,
  value: Uint8Array | null,
  proof: StateProof,
): void {
  if (!verifyStateProof(header.stateRoot, key, value, proof)) {
    const claim = value === null ? "absent" : "present";
    throw new CareLedgerError("PROOF_INVALID", `state ${key} is not ${claim} at ${header.height}`);
  }
}
