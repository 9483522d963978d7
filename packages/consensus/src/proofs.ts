import { bytesEqual, signingBytes, verifyCertificate } from "@careledger/protocol";
import { hashOfHeader } from "./blockHashCache.js";
import type { ReplicaState } from "./state.js";
import type { PreparedCertificate, ViewChangeMessage } from "./types.js";

/** A prepared certificate holds: header matches, a quorum of distinct valid PREPARE signatures. */
export function validPrepared(r: ReplicaState, entry: PreparedCertificate): boolean {
  if (entry.header.height !== entry.height) return false;
  if (!bytesEqual(hashOfHeader(entry.header), entry.hash)) return false;
  const validators = r.schedule.setAt(entry.height);
  if (entry.votes.length < r.quorumOf(validators.length)) return false;
  const message = signingBytes("prepare", r.config.chainId, [entry.height, entry.view, entry.hash]);
  let previous = -1;
  for (const vote of entry.votes) {
    if (vote.validator <= previous) return false;
    previous = vote.validator;
    const key = validators[vote.validator];
    if (key === undefined || !r.config.verifier.verify(key, message, vote.sig)) return false;
  }
  return true;
}

/**
 * A view change is believable when its committed head carries a valid certificate and each
 * prepared certificate holds, lies above that head within one window, in ascending height order,
 * from a lower view; bodies, if attached, match the certificates one for one.
 */
export function validViewChange(r: ReplicaState, change: ViewChangeMessage): boolean {
  if (!validViewChangeHead(r, change)) return false;
  let previousHeight = change.committedHeight;
  for (const entry of change.prepared) {
    if (entry.height <= previousHeight || entry.view >= change.view) return false;
    if (entry.height > change.committedHeight + r.params.window) return false;
    if (!validPrepared(r, entry)) return false;
    previousHeight = entry.height;
  }
  if (change.blocks.length === 0) return true;
  if (change.blocks.length !== change.prepared.length) return false;
  return change.blocks.every((block, index) => {
    const entry = change.prepared[index];
    return entry !== undefined && bytesEqual(hashOfHeader(block.header), entry.hash);
  });
}

export function validViewChangeHead(r: ReplicaState, change: ViewChangeMessage): boolean {
  if (change.committedHeight === r.head.height) {
    return bytesEqual(change.committedHash, r.head.hash);
  }
  if (change.committedHeight === 0) return bytesEqual(change.committedHash, r.config.genesisHash);
  const certificate = change.certificate;
  if (certificate === null || certificate.height !== change.committedHeight) return false;
  try {
    verifyCertificate(
      certificate,
      change.committedHash,
      r.schedule.setAt(change.committedHeight),
      r.config.chainId,
      r.config.verifier,
    );
    return certificate.votes.length >= r.quorumAt(change.committedHeight);
  } catch {
    return false;
  }
}
