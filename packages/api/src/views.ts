import { type CommitCertificate, type Header, toHex } from "@careledger/protocol";
import type { CertifiedBlock, NodeStatus } from "./nodeApi.js";

export function statusView(status: NodeStatus) {
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

export function headerView(header: Header) {
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

export function certificateView(certificate: CommitCertificate) {
  return {
    height: certificate.height,
    view: certificate.view,
    blockHash: toHex(certificate.blockHash),
    votes: certificate.votes.map((vote) => ({ validator: vote.validator, sig: toHex(vote.sig) })),
  };
}

export function blockView(certified: CertifiedBlock) {
  const { header, txs } = certified.block;
  return {
    hash: toHex(certified.hash),
    height: header.height,
    header: headerView(header),
    txIds: txs.map((signed) => toHex(signed.id)),
    certificate: certified.certificate === null ? null : certificateView(certified.certificate),
  };
}
