import { type Block, type Signer, toHex } from "@careledger/protocol";
import { decodeMessage } from "../codec.js";
import { signMessage, type UnsignedMessage } from "../messages.js";
import type { ConsensusMessage } from "../types.js";
import type { SimApp } from "./app.js";
import type { Prng } from "./prng.js";
import type { ByzantineStrategy } from "./scenario.js";

/** Where a Byzantine node sends one message: everyone, or one node. */
export interface Outgoing {
  readonly to: number | "all";
  readonly message: ConsensusMessage;
}

/** Messages a replaying node remembers, to send again later. */
const REPLAY_MEMORY_MAX = 64;
/** Most garbage byte strings a forging node tries per message it sends. */
const GARBAGE_BYTES_MAX = 96;
/** Fork messages a `runFork` primary keeps re-sending (to replicas restarted since). */
const FORK_MEMORY_MAX = 24;
/** Chance that a `runFork` node re-sends its forks along with a message it sends. */
const FORK_RESEND_CHANCE = 0.3;

/** What a `runFork` primary proposed at re-proposed heights. */
export interface ForkMemory {
  /** Its fork messages (pre-prepare, prepare, commit), sent again from time to time. */
  readonly sent: ConsensusMessage[];
  /** Re-proposed hash -> the hash of the fresh block sent in its place (the next fork links to it). */
  readonly forkOf: Map<string, Uint8Array>;
}

export interface ByzantineContext {
  readonly prng: Prng;
  readonly chainId: Uint8Array;
  readonly signer: Signer;
  readonly app: SimApp;
  readonly nodeCount: number;
  readonly peers: readonly Uint8Array[];
  /** Messages this node received, for replay. */
  readonly heard: ConsensusMessage[];
  /** Garbage that the decoder accepted (must stay zero). */
  garbageAccepted: number;
  readonly forks: ForkMemory;
}

export function rememberHeard(context: ByzantineContext, message: ConsensusMessage): void {
  if (context.heard.length >= REPLAY_MEMORY_MAX) context.heard.shift();
  context.heard.push(message);
}

/** What a Byzantine node sends in place of `message`, by its strategy. */
export function corrupt(
  strategy: ByzantineStrategy,
  context: ByzantineContext,
  message: ConsensusMessage,
): Outgoing[] {
  switch (strategy) {
    case "silent":
      return message.kind === "preprepare" || message.kind === "newview"
        ? []
        : [{ to: "all", message }];
    case "equivocate":
      return equivocate(context, message);
    case "conflictingVotes":
      return conflictingVotes(context, message);
    case "replay":
      return [{ to: "all", message }, ...replay(context)];
    case "forge":
      return [{ to: "all", message }, ...forge(context, message)];
    case "wrongViews":
      return [{ to: "all", message }, shifted(context, message)];
    case "badProposal":
      return [{ to: "all", message: badProposal(context, message) }];
    case "twins":
      return [{ to: "all", message }];
    case "runFork":
      return runFork(context, message);
  }
}

function resign(context: ByzantineContext, message: UnsignedMessage): ConsensusMessage {
  return signMessage(context.chainId, context.signer, message);
}

function halves(context: ByzantineContext, first: ConsensusMessage, second: ConsensusMessage) {
  const out: Outgoing[] = [];
  for (let node = 0; node < context.nodeCount; node++) {
    out.push({ to: node, message: node % 2 === 0 ? first : second });
  }
  return out;
}

/** A primary that sends one block to half the nodes and another to the rest, and votes both. */
function equivocate(context: ByzantineContext, message: ConsensusMessage): Outgoing[] {
  if (message.kind !== "preprepare") return conflictingVotes(context, message);
  const other: Block | undefined = context.app.alternative(message.block);
  if (other === undefined) return [{ to: "all", message }];
  const { blockHash } = context.app.hashOf(other);
  const second = resign(context, { ...message, block: other, hash: blockHash });
  const vote = resign(context, {
    kind: "prepare",
    height: message.height,
    view: message.view,
    hash: blockHash,
  });
  return [
    ...halves(context, message, second),
    ...halves(context, message, vote).filter((_, i) => i % 2 === 1),
  ];
}

/** Votes for the real hash to some, for another hash to others. */
function conflictingVotes(context: ByzantineContext, message: ConsensusMessage): Outgoing[] {
  if (message.kind !== "prepare" && message.kind !== "commit") return [{ to: "all", message }];
  const hash = new Uint8Array(32);
  hash[0] = context.prng.int(0, 255);
  return halves(context, message, resign(context, { ...message, hash }));
}

function replay(context: ByzantineContext): Outgoing[] {
  if (context.heard.length === 0 || !context.prng.chance(0.3)) return [];
  return [
    { to: context.prng.int(0, context.nodeCount - 1), message: context.prng.pick(context.heard) },
  ];
}

/** Claims another validator's identity (the signature cannot match) and sends garbage bytes. */
function forge(context: ByzantineContext, message: ConsensusMessage): Outgoing[] {
  const bytes = new Uint8Array(context.prng.int(0, GARBAGE_BYTES_MAX));
  for (let i = 0; i < bytes.length; i++) bytes[i] = context.prng.int(0, 255);
  try {
    decodeMessage(bytes);
    context.garbageAccepted += 1;
  } catch {
    // Refused, as it must be.
  }
  const victim = context.prng.pick(context.peers);
  return [{ to: "all", message: { ...message, from: victim } }];
}

/** The same message re-signed for another view or height. */
function shifted(context: ByzantineContext, message: ConsensusMessage): Outgoing {
  const delta = context.prng.int(1, 3) * (context.prng.chance(0.5) ? 1 : -1);
  switch (message.kind) {
    case "preprepare":
    case "prepare":
    case "commit":
      return context.prng.chance(0.5)
        ? {
            to: "all",
            message: resign(context, { ...message, view: Math.max(0, message.view + delta) }),
          }
        : {
            to: "all",
            message: resign(context, { ...message, height: Math.max(0, message.height + delta) }),
          };
    case "viewchange":
    case "newview":
      return {
        to: "all",
        message: resign(context, { ...message, view: message.view + context.prng.int(1, 3) }),
      };
    case "checkpoint":
      return {
        to: "all",
        message: resign(context, {
          ...message,
          height: message.height + 10 * context.prng.int(1, 3),
        }),
      };
  }
}

/**
 * A new primary that sends its re-proposals and, at the same heights and view, fresh blocks of
 * its own with its prepare and commit for them, and keeps sending those again: a replica that
 * forgot the new view's plan (a restart) would take a fresh block where only the re-proposal may
 * stand.
 */
function runFork(context: ByzantineContext, message: ConsensusMessage): Outgoing[] {
  const out: Outgoing[] = [{ to: "all", message }];
  const forks = context.forks;
  if (message.kind === "preprepare" && message.block.header.view < message.view) {
    const header = message.block.header;
    const parent = forks.forkOf.get(toHex(header.prevHash)) ?? header.prevHash;
    const fork = context.app.fresh(parent, message.view, context.signer.publicKey, header.time + 1);
    if (fork !== undefined) {
      const { blockHash } = context.app.hashOf(fork);
      if (forks.forkOf.size >= FORK_MEMORY_MAX) forks.forkOf.clear();
      forks.forkOf.set(toHex(message.hash), blockHash);
      const vote = { height: header.height, view: message.view, hash: blockHash };
      forks.sent.push(
        resign(context, { ...message, block: fork, hash: blockHash }),
        resign(context, { kind: "prepare", ...vote }),
        resign(context, { kind: "commit", ...vote }),
      );
      forks.sent.splice(0, Math.max(0, forks.sent.length - FORK_MEMORY_MAX));
      return [...out, ...forks.sent.map((fork): Outgoing => ({ to: "all", message: fork }))];
    }
  }
  if (forks.sent.length > 0 && context.prng.chance(FORK_RESEND_CHANCE)) {
    out.push(...forks.sent.map((fork): Outgoing => ({ to: "all", message: fork })));
  }
  return out;
}

/** Ten years of header time, in ms: far enough to expire every proposal and time-based rule. */
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * A primary proposing a block no honest replica may accept: a state root no honest application
 * reproduces, or a correct block whose time is far ahead of every clock (Number.MAX_SAFE_INTEGER
 * leaves no later time an honest successor could write; ten years ahead expires everything).
 */
function badProposal(context: ByzantineContext, message: ConsensusMessage): ConsensusMessage {
  if (message.kind !== "preprepare") return message;
  const { header } = message.block;
  const changed = context.prng.pick([
    { stateRoot: new Uint8Array(32).fill(7) },
    { time: Number.MAX_SAFE_INTEGER },
    { time: header.time + TEN_YEARS_MS },
  ]);
  const block = { ...message.block, header: { ...header, ...changed } };
  const { blockHash } = context.app.hashOf(block);
  return resign(context, { ...message, block, hash: blockHash });
}

export function describe(message: ConsensusMessage): string {
  const from = toHex(message.from).slice(0, 6);
  switch (message.kind) {
    case "preprepare":
    case "prepare":
    case "commit":
      return `${message.kind} h${message.height} v${message.view} ${toHex(message.hash).slice(0, 8)} from ${from}`;
    case "checkpoint":
      return `checkpoint h${message.height} from ${from}`;
    case "viewchange":
      return `viewchange v${message.view} head ${message.committedHeight} prepared ${message.prepared.length} from ${from}`;
    case "newview":
      return `newview v${message.view} from ${from}`;
  }
}
