import {
  type BlockResponse,
  type BlockTxsResponse,
  type CertificateJson,
  type CommitCertificate,
  type Header,
  type HeaderJson,
  type ReceiptProofResponse,
  type StatusResponse,
  type TxProofResponse,
  toHex,
} from "@careledger/protocol";
import type { Static } from "@sinclair/typebox";
import { canonicalToJson } from "./json.js";
import type { CertifiedBlock, NodeStatus, ProvenReceipt } from "./nodeApi.js";

/**
 * NodeApi values (bytes) as the contract's JSON (hex). Typed by the contract's schemas, so a
 * field added to one and not the other fails to compile.
 */

export function statusView(status: NodeStatus): Static<typeof StatusResponse> {
  return {
    chain: toHex(status.chainId),
    node: toHex(status.nodeKey),
    height: status.height,
    headHash: toHex(status.headHash),
    stateRoot: toHex(status.stateRoot),
    view: status.view,
    primary: toHex(status.primary),
    validators: status.validators.map(toHex),
    peers: status.peers,
    syncing: status.syncing,
  };
}

export function headerView(header: Header): Static<typeof HeaderJson> {
  return {
    v: header.v,
    chain: toHex(header.chain),
    height: header.height,
    prevHash: toHex(header.prevHash),
    time: header.time,
    proposer: toHex(header.proposer),
    view: header.view,
    txRoot: toHex(header.txRoot),
    stateRoot: toHex(header.stateRoot),
    receiptsRoot: toHex(header.receiptsRoot),
    validatorsHash: toHex(header.validatorsHash),
    nextValidatorsHash: toHex(header.nextValidatorsHash),
  };
}

export function certificateView(certificate: CommitCertificate): Static<typeof CertificateJson> {
  return {
    height: certificate.height,
    view: certificate.view,
    blockHash: toHex(certificate.blockHash),
    votes: certificate.votes.map((vote) => ({ validator: vote.validator, sig: toHex(vote.sig) })),
  };
}

export function blockView(certified: CertifiedBlock): Static<typeof BlockResponse> {
  const { header, txs } = certified.block;
  return {
    hash: toHex(certified.hash),
    height: header.height,
    header: headerView(header),
    txIds: txs.map((signed) => toHex(signed.id)),
    certificate: certified.certificate === null ? null : certificateView(certified.certificate),
  };
}

export function txProofView(
  id: string,
  found: { readonly height: number; readonly proof: ProvenReceipt["proof"] },
): Static<typeof TxProofResponse> {
  const { index, total, siblings } = found.proof;
  return { id, height: found.height, proof: { index, total, siblings: siblings.map(toHex) } };
}

export function receiptProofView(
  id: string,
  found: ProvenReceipt,
): Static<typeof ReceiptProofResponse> {
  return { ...txProofView(id, found), receipt: toHex(found.receipt) };
}

/** A block's transactions with their payloads and bytes (base64), for a signed read. */
export function blockTxsView(certified: CertifiedBlock): Static<typeof BlockTxsResponse> {
  return {
    height: certified.block.header.height,
    txs: certified.block.txs.map(({ tx, id, bytes }) => ({
      id: toHex(id),
      type: tx.type,
      from: toHex(tx.from),
      nonce: toHex(tx.nonce),
      expires: tx.expires,
      payload: canonicalToJson(tx.payload),
      sig: toHex(tx.sig),
      bytes: Buffer.from(bytes).toString("base64"),
    })),
  };
}
