import {
  type Canonical,
  commitSigningBytes,
  type Signer,
  signingBytes,
  type Verifier,
} from "@careledger/protocol";
import type {
  CheckpointMessage,
  CommitMessage,
  ConsensusMessage,
  NewViewMessage,
  PrePrepareMessage,
  PrepareMessage,
  ViewChangeMessage,
} from "./types.js";

type Unsigned<T> = T extends unknown ? Omit<T, "from" | "sig"> : never;
export type UnsignedMessage = Unsigned<ConsensusMessage>;

/** The bytes each kind of message signs: `[kind, chainId, body]`, bodies without attachments. */
export function messageSigningBytes(chainId: Uint8Array, message: UnsignedMessage): Uint8Array {
  switch (message.kind) {
    case "preprepare":
    case "prepare":
      return signingBytes(message.kind, chainId, [message.height, message.view, message.hash]);
    case "commit":
      return commitSigningBytes(chainId, message.height, message.view, message.hash);
    case "checkpoint":
      return signingBytes("checkpoint", chainId, [message.height, message.hash]);
    case "viewchange":
      return signingBytes("viewchange", chainId, viewChangeBody(message));
    case "newview":
      return signingBytes("newview", chainId, [
        message.view,
        message.viewChanges.map((change) => [change.from, change.sig]),
      ]);
  }
}

/** A view change signs its claims; the certificates and blocks that prove them need no signature. */
function viewChangeBody(message: Unsigned<ViewChangeMessage>): Canonical {
  return [
    message.view,
    message.committedHeight,
    message.committedHash,
    message.prepared.map((entry) => [entry.height, entry.view, entry.hash]),
  ];
}

export function signMessage(
  chainId: Uint8Array,
  signer: Signer,
  message: Unsigned<PrePrepareMessage>,
): PrePrepareMessage;
export function signMessage(
  chainId: Uint8Array,
  signer: Signer,
  message: Unsigned<PrepareMessage>,
): PrepareMessage;
export function signMessage(
  chainId: Uint8Array,
  signer: Signer,
  message: Unsigned<CommitMessage>,
): CommitMessage;
export function signMessage(
  chainId: Uint8Array,
  signer: Signer,
  message: Unsigned<CheckpointMessage>,
): CheckpointMessage;
export function signMessage(
  chainId: Uint8Array,
  signer: Signer,
  message: Unsigned<ViewChangeMessage>,
): ViewChangeMessage;
export function signMessage(
  chainId: Uint8Array,
  signer: Signer,
  message: Unsigned<NewViewMessage>,
): NewViewMessage;
export function signMessage(
  chainId: Uint8Array,
  signer: Signer,
  message: UnsignedMessage,
): ConsensusMessage;
export function signMessage(
  chainId: Uint8Array,
  signer: Signer,
  message: UnsignedMessage,
): ConsensusMessage {
  const sig = signer.sign(messageSigningBytes(chainId, message));
  return { ...message, from: signer.publicKey, sig } as ConsensusMessage;
}

/**
 * Signing bytes of received messages, computed once per message object (messages are never
 * mutated; a simulator hands one object to many replicas, a node decodes a fresh one each time).
 */
const signedBytesCache = new WeakMap<
  ConsensusMessage,
  { chainId: Uint8Array; bytes: Uint8Array }
>();

/** Whether the message's signature is its sender's; membership is checked by the replica. */
export function verifyMessage(
  chainId: Uint8Array,
  verifier: Verifier,
  message: ConsensusMessage,
): boolean {
  let cached = signedBytesCache.get(message);
  if (cached === undefined || cached.chainId !== chainId) {
    cached = { chainId, bytes: messageSigningBytes(chainId, message) };
    signedBytesCache.set(message, cached);
  }
  return verifier.verify(message.from, cached.bytes, message.sig);
}

/** A view change as a new view carries it: the signed claims and their proofs, no bodies. */
export function stripBlocks(change: ViewChangeMessage): ViewChangeMessage {
  return change.blocks.length === 0 ? change : { ...change, blocks: [] };
}
