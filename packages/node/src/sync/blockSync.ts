import type { ExecutionResult, Ledger } from "@careledger/ledger";
import {
  type Block,
  blockHash,
  bytesEqual,
  CareLedgerError,
  type CommitCertificate,
  type Verifier,
  verifyCertificate,
} from "@careledger/protocol";
import type { Logger } from "../logger.js";
import {
  type CertifiedBlockBytes,
  encodeSyncMessage,
  SYNC_BLOCKS_PER_MESSAGE_MAX,
  SYNC_REPLY_BYTES_MAX,
  type SyncBlocks,
  type SyncMessage,
  syncItemBytes,
} from "./messages.js";
import { PeerHeads } from "./peerHeads.js";

/** A peer that has not answered a sync request within this long is passed over. */
export const SYNC_RESPONSE_TIMEOUT_MS = 3_000;
/** How often a node announces its head to its peers. */
export const HEAD_ANNOUNCE_INTERVAL_MS = 2_000;
/**
 * How far a peer's head may be ahead before this node syncs rather than waits for consensus:
 * in-flight heights (the window) commit through consensus itself.
 */
export const SYNC_LAG_HEIGHTS_MIN = 3;
/**
 * Requests out at once, to different peers. One at a time, a node that restarted under load
 * caught up at about 1.2 times the chain's growth: every round trip and every peer's read of
 * its blocks stood between two batches. Bounds the blocks held ahead of the head as well
 * (this many responses, each at most SYNC_REPLY_BYTES_MAX).
 */
export const SYNC_REQUESTS_IN_FLIGHT_MAX = 4;

export interface BlockSyncDeps {
  readonly ledger: Ledger;
  readonly verifier: Verifier;
  readonly send: (toNodeKey: string, bytes: Uint8Array) => void;
  readonly peers: () => readonly string[];
  /** How many peers must report a head before it is a target: f + 1, so one is honest. */
  readonly witnessesMin: () => number;
  /** Runs `apply` with the ledger to itself (no consensus commit in between). */
  readonly exclusive: <T>(apply: () => Promise<T>) => Promise<T>;
  /** Inside the commit's turn: the consensus news of the block (the driver's committedBlock). */
  readonly decided: (block: Block, result: ExecutionResult) => Promise<void>;
  /** An unexpected failure (not the peer's): the node halts, as on a consensus driver failure. */
  readonly fatal: (error: unknown) => void;
  /** A synced block was committed: the node tells the mempool, the API and metrics. */
  readonly committed: (block: Block, certificate: CommitCertificate) => void;
  /** Sync reached its target: the replica may resume from there. */
  readonly synced: (height: number, hash: Uint8Array, certificate: CommitCertificate) => void;
  readonly log: Logger;
  /** SYNC_RESPONSE_TIMEOUT_MS unless a test says otherwise. */
  readonly responseTimeoutMs?: number;
}

interface Range {
  readonly from: number;
  readonly count: number;
}

interface Asked extends Range {
  readonly timer: NodeJS.Timeout;
}

/**
 * Catches a node up: asks several peers at once for consecutive ranges of certified blocks above
 * its head, checks each block against its certificate and the validator set of its height,
 * executes and commits them in height order, and asks again until it reaches the highest head
 * that f + 1 peers reported (or that the replica asked for). Serves the same requests.
 */
export class BlockSync {
  /** A height the replica asked for (f + 1 checkpoints vouch for it). */
  private requested = 0;
  private readonly heads: PeerHeads;
  /** Outstanding requests, one per peer. */
  private readonly asked = new Map<string, Asked>();
  /** Blocks received above the head, by height, with the peer that sent them. */
  private readonly fetched = new Map<number, { item: CertifiedBlockBytes; peer: string }>();
  /** Ranges to ask for again (a short answer, a timeout, an invalid block), lowest first. */
  private readonly retry: Range[] = [];
  /** The first height not asked for yet. */
  private nextFrom = 0;
  /** Peers passed over until the time given (ms): they timed out, had nothing or lied. */
  private readonly resting = new Map<string, number>();
  private peerTurn = 0;
  /** Between the first request and reaching the target. */
  private session = false;
  private sessionStartedAt = 0;
  private sessionBlocks = 0;
  private applying = false;
  private stopped = false;
  private lastCertificate: CommitCertificate | null = null;

  constructor(private readonly deps: BlockSyncDeps) {
    this.heads = new PeerHeads(deps.witnessesMin);
  }

  /** Fetching blocks, or far enough behind the peers that it soon will be. */
  get syncing(): boolean {
    return this.session || this.targetHeight >= this.deps.ledger.head.height + SYNC_LAG_HEIGHTS_MIN;
  }

  get targetHeight(): number {
    return Math.max(this.requested, this.heads.witnessed());
  }

  request(toHeight: number): void {
    this.requested = Math.max(this.requested, toHeight);
    this.fill();
  }

  /** Tells peers this node's head; called every HEAD_ANNOUNCE_INTERVAL_MS. */
  announce(broadcast: (bytes: Uint8Array) => void): void {
    broadcast(this.headMessage());
  }

  async onMessage(fromPeer: string, message: SyncMessage): Promise<void> {
    if (message.kind === "head") {
      this.heads.report(fromPeer, message.height);
      // A peer this far behind (just restarted, say) learns at once how far it has to go,
      // rather than at the next announcement.
      if (message.height + SYNC_LAG_HEIGHTS_MIN <= this.deps.ledger.head.height) {
        this.deps.send(fromPeer, this.headMessage());
      }
      this.fill();
      return;
    }
    if (message.kind === "request") {
      await this.serve(fromPeer, message.from, message.count);
      return;
    }
    this.take(fromPeer, message);
    await this.applyFetched();
    this.fill();
  }

  stop(): void {
    this.stopped = true;
    for (const asked of this.asked.values()) clearTimeout(asked.timer);
    this.asked.clear();
    this.fetched.clear();
  }

  private headMessage(): Uint8Array {
    return encodeSyncMessage({ kind: "head", height: this.deps.ledger.head.height });
  }

  /** Keeps the blocks of an answer that are the ones asked for, in order; re-asks the rest. */
  private take(fromPeer: string, message: SyncBlocks): void {
    const asked = this.asked.get(fromPeer);
    if (asked === undefined) return;
    clearTimeout(asked.timer);
    this.asked.delete(fromPeer);
    this.heads.report(fromPeer, message.head);
    const end = asked.from + asked.count;
    let next = asked.from;
    for (const item of message.items) {
      if (next >= end || item.block.header.height !== next) break;
      this.fetched.set(next, { item, peer: fromPeer });
      next += 1;
    }
    if (next < end) this.again({ from: next, count: end - next });
    if (next === asked.from) this.rest(fromPeer);
  }

  private fill(): void {
    this.askMore();
    this.endSessionIfDone();
  }

  /** Asks for more while requests are free, ranges are left and peers can answer. */
  private askMore(): void {
    if (this.stopped) return;
    const head = this.deps.ledger.head.height;
    const target = this.targetHeight;
    this.nextFrom = Math.max(this.nextFrom, head + 1);
    if (!this.session) {
      // Announced heads are unsigned, so they start a session only from a lag of a few heights;
      // the replica's own request (a certificate it saw above its head) starts one at once: a
      // replica 2 heights behind a quorum that needs its vote stalled everyone otherwise.
      if (target < head + SYNC_LAG_HEIGHTS_MIN && this.requested <= head) return;
      this.session = true;
      this.sessionStartedAt = Date.now();
      this.sessionBlocks = 0;
    }
    while (this.asked.size < SYNC_REQUESTS_IN_FLIGHT_MAX) {
      const range = this.nextRange(head, target);
      if (range === null) return;
      const peer = this.pickPeer(range.from);
      if (peer === null) {
        this.again(range);
        return;
      }
      this.ask(peer, range);
    }
  }

  private nextRange(head: number, target: number): Range | null {
    for (let range = this.retry.shift(); range !== undefined; range = this.retry.shift()) {
      const from = Math.max(range.from, head + 1);
      const end = range.from + range.count;
      if (from < end) return { from, count: end - from };
    }
    const aheadMax = SYNC_REQUESTS_IN_FLIGHT_MAX * SYNC_BLOCKS_PER_MESSAGE_MAX;
    if (this.nextFrom > target || this.nextFrom > head + aheadMax) return null;
    const count = Math.min(SYNC_BLOCKS_PER_MESSAGE_MAX, target - this.nextFrom + 1);
    const range = { from: this.nextFrom, count };
    this.nextFrom += count;
    return range;
  }

  /** A free peer, in turn, that reported a head at `from` or above (or reported none yet). */
  private pickPeer(from: number): string | null {
    const peers = this.deps.peers();
    const now = Date.now();
    for (let tried = 0; tried < peers.length; tried++) {
      this.peerTurn = (this.peerTurn + 1) % peers.length;
      const peer = peers[this.peerTurn] as string;
      const reported = this.heads.of(peer);
      if (this.asked.has(peer) || (this.resting.get(peer) ?? 0) > now) continue;
      if (reported === -1 || reported >= from) return peer;
    }
    return null;
  }

  private ask(peer: string, range: Range): void {
    this.deps.send(peer, encodeSyncMessage({ kind: "request", ...range }));
    const timer = setTimeout(() => {
      this.asked.delete(peer);
      this.rest(peer);
      this.again(range);
      this.fill();
    }, this.deps.responseTimeoutMs ?? SYNC_RESPONSE_TIMEOUT_MS);
    this.asked.set(peer, { ...range, timer });
  }

  private again(range: Range): void {
    this.retry.push(range);
    this.retry.sort((a, b) => a.from - b.from);
  }

  private rest(peer: string): void {
    this.resting.set(peer, Date.now() + (this.deps.responseTimeoutMs ?? SYNC_RESPONSE_TIMEOUT_MS));
  }

  /** Commits the fetched blocks that extend the head, in order; one caller at a time. */
  private async applyFetched(): Promise<void> {
    if (this.applying) return;
    this.applying = true;
    try {
      for (;;) {
        const height = this.deps.ledger.head.height + 1;
        for (const below of this.fetched.keys()) if (below < height) this.fetched.delete(below);
        const next = this.fetched.get(height);
        if (next === undefined || this.stopped) return;
        this.fetched.delete(height);
        if (!(await this.applyChecked(next.item, next.peer))) this.distrust(next.peer, height);
      }
    } finally {
      this.applying = false;
    }
  }

  /** False when the block is invalid; a block that no longer extends the head is skipped. */
  private async applyChecked(item: CertifiedBlockBytes, peer: string): Promise<boolean> {
    try {
      const applied = await this.deps.exclusive(() => this.applyOne(item.block, item.certificate));
      if (applied) {
        this.lastCertificate = item.certificate;
        this.sessionBlocks += 1;
        this.deps.committed(item.block, item.certificate);
      }
      return true;
    } catch (error) {
      if (!(error instanceof CareLedgerError)) {
        // A broken disk or a bug, as in the consensus driver: the node halts (and its supervisor
        // restarts it) rather than go on with a replica that missed a committed block's news.
        this.deps.fatal(error);
        throw error;
      }
      this.deps.log.warn({ peer, reason: error.message }, "peer sent an invalid synced block");
      return false;
    }
  }

  /** Drops what a peer that sent an invalid block still has waiting, and asks others for it. */
  private distrust(peer: string, height: number): void {
    this.resting.set(peer, Date.now() + 10 * SYNC_RESPONSE_TIMEOUT_MS);
    const heights = [height];
    for (const [at, fetched] of this.fetched) {
      if (fetched.peer === peer) heights.push(at);
    }
    heights.sort((a, b) => a - b);
    for (const at of heights) {
      this.fetched.delete(at);
      this.again({ from: at, count: 1 });
    }
  }

  private endSessionIfDone(): void {
    // Blocks consensus committed meanwhile are no longer waited for: they must not hold the
    // session (and with it `syncing`, NOT_READY) open until some later reply.
    const { height } = this.deps.ledger.head;
    for (const at of this.fetched.keys()) if (at <= height) this.fetched.delete(at);
    if (!this.session || this.asked.size > 0 || this.fetched.size > 0 || this.applying) return;
    this.session = false;
    const head = this.deps.ledger.head;
    if (this.sessionBlocks > 0) {
      this.deps.log.info(
        { height: head.height, blocks: this.sessionBlocks, ms: Date.now() - this.sessionStartedAt },
        "caught up by block sync",
      );
    }
    if (this.lastCertificate !== null && this.lastCertificate.height === head.height) {
      this.deps.synced(head.height, head.hash, this.lastCertificate);
    }
  }

  private async applyOne(block: Block, certificate: CommitCertificate): Promise<boolean> {
    const { ledger } = this.deps;
    const head = ledger.head;
    if (block.header.height !== head.height + 1) return false;
    if (!bytesEqual(block.header.prevHash, head.hash)) {
      throw new CareLedgerError("BLOCK_INVALID", "synced block does not link to the head");
    }
    const hash = blockHash(block.header);
    if (certificate.height !== block.header.height) {
      throw new CareLedgerError("CERTIFICATE_INVALID", "certificate is for another height");
    }
    const { nextValidators } = await ledger.consensusConfig();
    verifyCertificate(certificate, hash, nextValidators, ledger.chainId, this.deps.verifier);
    // A quorum certified this block, so at least one honest validator checked every signature
    // in it before voting: checking them again only slowed catch-up. Everything else is checked
    // again, the state root included: this node's state is what its own execution gives.
    const result = await ledger.executeBlock(block, { isVerified: () => true });
    await ledger.commit(block, certificate, result);
    // Past the commit nothing is the peer's fault: even a CareLedgerError (an activation height
    // the replica computes differently) is this node's, and must not read as an invalid block.
    await this.deps.decided(block, result).catch((error: unknown) => {
      throw new Error("handing a synced block's consensus news failed", { cause: error });
    });
    return true;
  }

  private async serve(toPeer: string, from: number, count: number): Promise<void> {
    const { ledger } = this.deps;
    const items: CertifiedBlockBytes[] = [];
    let bytes = 0;
    const last = Math.min(
      ledger.head.height,
      from + Math.min(count, SYNC_BLOCKS_PER_MESSAGE_MAX) - 1,
    );
    for (let height = from; height <= last; height++) {
      const stored = await ledger.reads.block(height);
      if (stored === null || stored.certificate === null) break;
      // The reply fits its frame: blocks are added while they fit, and the first always does.
      const itemBytes = syncItemBytes(stored.block);
      if (items.length > 0 && bytes + itemBytes > SYNC_REPLY_BYTES_MAX) break;
      items.push({ block: stored.block, certificate: stored.certificate });
      bytes += itemBytes;
    }
    this.deps.send(toPeer, encodeSyncMessage({ kind: "blocks", head: ledger.head.height, items }));
  }
}
