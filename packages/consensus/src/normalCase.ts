import { type Block, bytesEqual, type Header, toHex } from "@careledger/protocol";
import { hashOfHeader } from "./blockHashCache.js";
import { bodyBytes, bodyRoom } from "./bodyBudget.js";
import { signMessage } from "./messages.js";
import { type ReplicaState, SLOT_BLOCKS_MAX, type Slot, VIEWS_AHEAD_MAX } from "./state.js";
import type { CommitMessage, PrePrepareMessage, PrepareMessage } from "./types.js";
import { castVote } from "./votes.js";

/**
 * A pre-prepare from the primary of its view, for a height in the window. One for a view this
 * replica has not entered yet (the new view is still on its way) is kept tentatively and
 * checked against that new view when it arrives: networks reorder.
 */
export function onPrePrepare(r: ReplicaState, message: PrePrepareMessage): void {
  // View, primary and height window were checked before the signature (precheck.ts).
  const slot = r.slot(message.height);
  const header = message.block.header;
  if (slot === undefined) {
    r.drop("preprepare-height");
  } else if (header.height !== message.height || !bytesEqual(hashOfHeader(header), message.hash)) {
    r.drop("preprepare-digest");
  } else {
    const hex = toHex(message.hash);
    const accepted = slot.accepted.get(message.view);
    const entered = message.view === r.view && !r.changing;
    if (accepted !== undefined && accepted !== hex) r.drop("preprepare-equivocation");
    else if (entered && !fitsNewView(r, message.height, hex, header, message.view)) {
      r.drop("preprepare-header");
    } else if (entered && !withinBodyBudget(r, message.height, hex, message.block)) {
      r.drop("preprepare-bytes");
    } else if (!rememberBlock(slot, message.block, message.hash)) r.drop("preprepare-blocks-full");
    else slot.accepted.set(message.view, hex);
  }
}

/**
 * Whether a pre-prepared block may stand in `view` as its new view decided: at a re-proposed
 * height only the re-proposed block, above the run only a fresh block of this view's primary.
 */
export function fitsNewView(
  r: ReplicaState,
  height: number,
  hex: string,
  header: Header,
  view: number,
): boolean {
  const rerun = r.runHashes.get(height);
  if (rerun !== undefined) return rerun === hex;
  const primary = r.primaryOf(view);
  return (
    height > r.runEnd &&
    header.view === view &&
    primary !== undefined &&
    bytesEqual(header.proposer, primary)
  );
}

/**
 * Whether a fresh block fits the view-change body budget beside the other in-flight bodies, so
 * that a view change carrying them all fits its frame. A re-proposal is exempt: it is already
 * prepared (a view change carries it anyway) and the new view must stand on it.
 */
export function withinBodyBudget(r: ReplicaState, height: number, hex: string, block: Block) {
  return r.runHashes.get(height) === hex || bodyBytes(block) <= bodyRoom(r, height);
}

/** Keeps a block body in its slot, within the slot's bound. */
export function rememberBlock(slot: Slot, block: Block, hash: Uint8Array): boolean {
  const hex = toHex(hash);
  if (slot.blocks.has(hex)) return true;
  if (slot.blocks.size >= SLOT_BLOCKS_MAX) return false;
  slot.blocks.set(hex, { block, hash });
  return true;
}

export function onVote(r: ReplicaState, message: PrepareMessage | CommitMessage): void {
  if (message.view < r.view || message.view > r.view + VIEWS_AHEAD_MAX) {
    r.drop(`${message.kind}-view`);
    return;
  }
  const slot = r.slot(message.height);
  if (slot === undefined) {
    r.drop(`${message.kind}-height`);
    return;
  }
  const validator = r.schedule.indexOf(message.height, message.from);
  if (validator < 0) {
    r.drop(`${message.kind}-not-validator`);
    return;
  }
  const boxes = message.kind === "prepare" ? slot.prepares : slot.commits;
  let votes = boxes.get(message.view);
  if (votes === undefined) {
    votes = new Map();
    boxes.set(message.view, votes);
  }
  const hex = toHex(message.hash);
  const previous = votes.get(validator);
  if (previous !== undefined) {
    if (previous.hash !== hex) r.drop(`${message.kind}-conflicting`);
    return;
  }
  votes.set(validator, { hash: hex, sig: message.sig });
}

/** Asks the application to execute the accepted block of `height` once its parent is valid. */
function tryExecute(r: ReplicaState, slot: Slot): void {
  const hex = slot.accepted.get(r.view);
  if (hex === undefined || slot.verdicts.has(hex) || slot.executing.has(hex)) return;
  const entry = slot.blocks.get(hex);
  if (entry === undefined) return;
  if (!r.parentReady(slot.height, r.view, entry.block.header.prevHash)) return;
  slot.executing.add(hex);
  r.out.push({ type: "execute", block: entry.block, hash: entry.hash });
}

/** Prepares the accepted block once the application found it valid on top of a valid parent. */
function tryPrepare(r: ReplicaState, slot: Slot): void {
  if (slot.preparedIn === r.view) return;
  const hex = slot.accepted.get(r.view);
  if (hex === undefined || slot.verdicts.get(hex) !== true) return;
  const entry = slot.blocks.get(hex);
  if (entry === undefined) return;
  if (!r.parentReady(slot.height, r.view, entry.block.header.prevHash)) return;
  sendPrepare(r, slot, entry.block, entry.hash);
}

export function sendPrepare(r: ReplicaState, slot: Slot, block: Block, hash: Uint8Array): boolean {
  if (!r.votesAt(slot.height)) return false;
  const record = { type: "prepare", height: slot.height, view: r.view, hash, block } as const;
  slot.preparedIn = r.view;
  if (!castVote(r, "prepare", record)) return false;
  const message = signMessage(r.config.chainId, r.config.signer, {
    kind: "prepare",
    height: slot.height,
    view: r.view,
    hash,
  });
  r.out.push({ type: "broadcast", message });
  onVote(r, message);
  return true;
}

/**
 * Commits height h in view v only when h holds a prepared certificate of v and h - 1 is
 * committed or was itself committed-to in v: so every replica that sends COMMIT for h holds
 * view-v certificates for every height between its committed head and h, which is what lets a
 * new view re-propose the whole linked run.
 */
function tryCommit(r: ReplicaState, slot: Slot): void {
  if (slot.committedIn === r.view) return;
  const hex = slot.accepted.get(r.view);
  const entry = hex === undefined ? undefined : slot.blocks.get(hex);
  const votes = slot.prepares.get(r.view);
  if (hex === undefined || entry === undefined || votes === undefined) return;
  if (countFor(votes, hex) < r.quorumAt(slot.height)) return;
  const certificate = r.certificateOf(slot.height, r.view, hex, votes);
  if (certificate.votes.length < r.quorumAt(slot.height)) return;
  const prepared = { ...certificate, hash: entry.hash, header: entry.block.header };
  if (slot.prepared === null || slot.prepared.view <= r.view) slot.prepared = prepared;
  if (!r.votesAt(slot.height)) {
    slot.committedIn = r.view;
    return;
  }
  if (!chainCommitted(r, slot.height, entry.block.header.prevHash)) return;
  const record = { type: "commit", height: slot.height, view: r.view, hash: entry.hash } as const;
  slot.committedIn = r.view;
  if (!castVote(r, "commit", { ...record, certificate: prepared })) return;
  const message = signMessage(r.config.chainId, r.config.signer, {
    kind: "commit",
    height: slot.height,
    view: r.view,
    hash: entry.hash,
  });
  r.out.push({ type: "broadcast", message });
  onVote(r, message);
}

function countFor(votes: ReadonlyMap<number, { readonly hash: string }>, hex: string): number {
  let count = 0;
  for (const vote of votes.values()) if (vote.hash === hex) count += 1;
  return count;
}

function chainCommitted(r: ReplicaState, height: number, prevHash: Uint8Array): boolean {
  if (height - 1 === r.head.height) return bytesEqual(prevHash, r.head.hash);
  const parent = r.slots.get(height - 1);
  const hex = toHex(prevHash);
  return (
    parent?.prepared?.view === r.view &&
    bytesEqual(parent.prepared.hash, prevHash) &&
    r.ownVotes.get(`commit:${height - 1}:${r.view}`) === hex
  );
}

/** Runs every in-flight height forward as far as it can go, in height order. */
export function advanceSlots(r: ReplicaState): void {
  if (r.changing) return;
  for (let height = r.head.height + 1; height <= r.highestInFlight(); height++) {
    const slot = r.slots.get(height);
    if (slot === undefined) continue;
    tryExecute(r, slot);
    tryPrepare(r, slot);
    tryCommit(r, slot);
  }
}
