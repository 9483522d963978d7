// Over 400 lines: the event queue, effect execution and proposal pacing share the queue's state;
// the consensus log writer is apart (consensusLog.ts); proposal pacing is the next to move out.
import {
  BLOCK_FRAME_BYTES_MAX,
  type ConsensusMessage,
  type Effect,
  type Event,
  encodeMessage,
  MESSAGE_BYTES_MAX,
  type PersistRecord,
  type Replica,
  type TimerName,
  TX_FRAME_BYTES,
} from "@careledger/consensus";
import type { ExecutionResult, Ledger } from "@careledger/ledger";
import {
  type Block,
  blockHash,
  CareLedgerError,
  type CommitCertificate,
  toHex,
} from "@careledger/protocol";
import type { Logger } from "../logger.js";
import type { Mempool } from "../mempool.js";
import type { ChannelName } from "../p2p/channels.js";
import { ConsensusLogWriter } from "./consensusLog.js";
import { InFlightBlocks } from "./inFlight.js";
import { changesDecidedIn } from "./validatorChanges.js";

/** Events waiting for the replica; past this the node is overloaded and drops peer messages. */
export const EVENT_QUEUE_MAX = 100_000;
/**
 * Wire bytes of peer messages waiting for the replica; past this, peer messages are dropped too
 * (a count alone let 100,000 messages of up to 64 MiB wait). Four of the largest messages a peer
 * may send: a burst of view changes and new views fits, a flood does not.
 */
export const EVENT_QUEUE_BYTES_MAX = 4 * MESSAGE_BYTES_MAX;
/**
 * Shortest time between two proposals of this node that are not full blocks. Without it a
 * lightly loaded primary proposed as soon as the last block committed: 200 tx/s made 45 to 60
 * blocks/s of 3 or 4 transactions, which took every node 45% of a core, and 1,000 heights (the
 * transaction expiry window, TX_TTL_MAX) passed in 17 s.
 */
export const PROPOSAL_INTERVAL_MIN_MS = 50;

/** How soon a progress timer held during a catch-up looks again whether the node caught up. */
export const PROGRESS_HOLD_RECHECK_MS = 500;

type PendingEvent = Event extends infer E ? (E extends unknown ? Omit<E, "now"> : never) : never;

export interface DriverDeps {
  readonly replica: Replica;
  readonly ledger: Ledger;
  readonly mempool: Mempool;
  readonly nodeKey: Uint8Array;
  readonly blockTxsMax: number;
  readonly send: (channel: ChannelName, toNodeKey: string, bytes: Uint8Array) => void;
  readonly broadcast: (channel: ChannelName, bytes: Uint8Array) => void;
  readonly requestSync: (fromHeight: number, toHeight: number) => void;
  readonly committed: (
    block: Block,
    certificate: CommitCertificate,
    result: ExecutionResult,
  ) => void;
  /** The replica moved to `view`; `cause` names the event (a timer by its name), for the log. */
  readonly viewChanged: (view: number, cause: string) => void;
  /** Whether block sync knows of certified heights above the ledger's head (catching up). */
  readonly behind: () => boolean;
  /**
   * Consensus stopped for good on an unexpected error (a bug or a broken disk): the node must
   * report itself not ready and exit, so its supervisor restarts it from its durable state.
   */
  readonly halted: (error: unknown) => void;
  readonly log: Logger;
}

/**
 * Runs the pure replica with the real clock, network and ledger: events go through one queue,
 * one at a time, and the effects of each run in order. A persist effect is written (synced)
 * before any effect after it, so nothing that depends on a vote leaves before the vote is on
 * disk. The replica decides; this only carries out.
 */
export class ConsensusDriver {
  private readonly queue: PendingEvent[] = [];
  /** What committed blocks decided: handed to the replica before any event of the queue. */
  private readonly news: PendingEvent[] = [];
  private queuedBytes = 0;
  /** Wire sizes of the queued peer messages (the other events count nothing). */
  private readonly wireBytesOf = new WeakMap<PendingEvent, number>();
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();
  private readonly inFlight = new InFlightBlocks();
  private running = false;
  /** The last txsPending value the replica was given. */
  private pendingSignalled = false;
  /** Height of this node's latest proposal in the current view; -1 when it has none. */
  private proposedHeight = -1;
  /** When this node last proposed (ms since the epoch). */
  private proposedAtMs = 0;
  /** Wakes the proposal check once PROPOSAL_INTERVAL_MIN_MS has passed. */
  private intervalTimer: NodeJS.Timeout | null = null;
  /** Serializes every ledger mutation: the replica's commits and block sync's. */
  private ledgerTurn: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private lastView: number;
  private readonly consensusLog: ConsensusLogWriter;

  constructor(private readonly deps: DriverDeps) {
    this.lastView = deps.replica.view;
    this.consensusLog = new ConsensusLogWriter(deps.ledger);
  }

  /** Log keys found at startup, so they are pruned once their height is committed. */
  adoptLogKeys(keys: Iterable<string>): void {
    this.consensusLog.adopt(keys);
  }

  /** `wireBytes`: a peer message's encoded size, counted against EVENT_QUEUE_BYTES_MAX. */
  enqueue(event: PendingEvent, wireBytes = 0): void {
    if (this.stopped) return;
    if (
      event.type === "message" &&
      (this.queue.length >= EVENT_QUEUE_MAX || this.queuedBytes + wireBytes > EVENT_QUEUE_BYTES_MAX)
    ) {
      return;
    }
    this.queuedBytes += wireBytes;
    if (wireBytes > 0) this.wireBytesOf.set(event, wireBytes);
    this.queue.push(event);
    // run() catches its own failures; this catch only keeps a bug there from ending the process.
    if (!this.running) this.run().catch((error: unknown) => this.deps.log.fatal({ err: error }));
  }

  /**
   * Admitted transactions wait. Told on every admission that makes a proposal worth asking for
   * (telling only on a change of the flag lost the signal somewhere under load: pnpm bench
   * --quick, p99 933 ms against 677 ms at 100/s); the events are cheap.
   */
  txsArrived(): void {
    if (!this.proposalWanted()) return;
    this.pendingSignalled = true;
    this.enqueue({ type: "txsPending", pending: true });
  }

  /**
   * Whether the replica should be told that transactions wait: when some do and either none of
   * this node's proposals is still uncommitted, or a full block is ready. So a primary under
   * light load proposes at once, and under heavy load proposes full blocks back to back, instead
   * of filling the window with tiny blocks: measured before this, 200 tx/s made 53 blocks/s and
   * the whole machine went on per-block work (about 9 ms of CPU per block on each node).
   */
  private proposalWanted(): boolean {
    // Measured with up to 1, 2, 3 and 8 proposals ahead (pnpm bench --rate 1000, twice each):
    // one held p99 1.0-1.2 s, eight 1.3-3.3 s; more blocks only meant more per-block work.
    const { mempool, ledger, blockTxsMax } = this.deps;
    if (!mempool.hasUnproposed()) return false;
    if (mempool.unproposedCount >= blockTxsMax) return true;
    if (this.proposedHeight > ledger.head.height) return false;
    const waitMs = this.proposedAtMs + PROPOSAL_INTERVAL_MIN_MS - Date.now();
    if (waitMs <= 0) return true;
    this.intervalTimer ??= setTimeout(() => {
      this.intervalTimer = null;
      if (!this.stopped) this.signalPending(this.proposalWanted());
    }, waitMs);
    return false;
  }

  private signalPending(pending: boolean): void {
    if (this.pendingSignalled === pending) return;
    this.pendingSignalled = pending;
    this.enqueue({ type: "txsPending", pending });
  }

  /**
   * A block was committed (by consensus or block sync, inside the ledger's turn): the
   * validator-set changes it decided go to the replica next, before any queued event. Queued
   * behind others, votes of the new set's first heights could be counted in the old set
   * (the simulator's slowCommit fault).
   */
  async committedBlock(block: Block, result: ExecutionResult): Promise<void> {
    const { height } = block.header;
    for (const change of await changesDecidedIn(
      this.deps.ledger,
      height,
      result.scheduled,
      result.params,
    )) {
      this.news.push({ type: "validatorSetChanged", ...change });
    }
    if (this.news.length > 0 && !this.running && !this.stopped) {
      this.run().catch((error: unknown) => this.deps.log.fatal({ err: error }));
    }
  }

  /** Runs `work` when no other ledger mutation runs; block sync commits through this. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.ledgerTurn.then(work, work);
    this.ledgerTurn = turn.catch(() => undefined);
    return turn;
  }

  stop(): void {
    this.stopped = true;
    if (this.intervalTimer !== null) clearTimeout(this.intervalTimer);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Resolves once every queued event has been handled (for an orderly stop). */
  async idle(): Promise<void> {
    while (this.running) await new Promise((done) => setImmediate(done));
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (
        let next = this.news.shift() ?? this.queue.shift();
        next !== undefined && !this.stopped;
        next = this.news.shift() ?? this.queue.shift()
      ) {
        const event = next;
        this.queuedBytes -= this.wireBytesOf.get(event) ?? 0;
        await this.exclusive(async () => {
          const effects = this.deps.replica.handle({ ...event, now: Date.now() } as Event);
          // Before the effects: a proposal the new view asks for in this same event must be
          // built after the old view's proposals are released, not have its own released.
          this.noticeViewChange(event.type === "timer" ? `timer:${event.name}` : event.type);
          await this.execute(effects);
        });
        // A commit (here or by block sync) may have emptied the pipeline: ask again if so.
        if (!this.pendingSignalled) this.signalPending(this.proposalWanted());
      }
    } catch (error) {
      // A failure here is a bug or a broken disk: stop voting rather than risk a wrong vote, and
      // say so, instead of staying up as a node that answers but never commits again.
      this.deps.log.fatal({ err: error }, "consensus driver failed; stopping consensus");
      this.stop();
      this.deps.halted(error);
    } finally {
      this.running = false;
    }
  }

  private async execute(effects: readonly Effect[]): Promise<void> {
    let persists: PersistRecord[] = [];
    for (const effect of effects) {
      if (effect.type === "persist") {
        persists.push(effect.record);
        continue;
      }
      if (persists.length > 0) {
        await this.consensusLog.write(persists);
        persists = [];
      }
      await this.apply(effect);
    }
    if (persists.length > 0) await this.consensusLog.write(persists);
  }

  private async apply(effect: Exclude<Effect, { type: "persist" }>): Promise<void> {
    switch (effect.type) {
      case "send":
        this.deps.send("consensus", toHex(effect.to), this.encode(effect.message));
        return;
      case "broadcast":
        this.deps.broadcast("consensus", this.encode(effect.message));
        return;
      case "setTimer":
        this.setTimer(effect.name, effect.at);
        return;
      case "cancelTimer":
        clearTimeout(this.timers.get(effect.name));
        this.timers.delete(effect.name);
        return;
      case "requestProposal":
        await this.propose(effect);
        return;
      case "execute":
        this.enqueue({
          type: "verdict",
          hash: effect.hash,
          valid: await this.validate(effect.block),
        });
        return;
      case "deliver":
        await this.commit(effect.block, effect.certificate);
        return;
      case "requestSync":
        this.deps.requestSync(effect.fromHeight, effect.toHeight);
        return;
    }
  }

  private encode(message: ConsensusMessage): Uint8Array {
    return encodeMessage(message);
  }

  private setTimer(name: TimerName, at: number): void {
    clearTimeout(this.timers.get(name));
    const timer = setTimeout(
      () => {
        this.timers.delete(name);
        // A replica that is catching up cannot judge the primary: its progress timer waits for
        // the sync (every synced block re-arms it). Fired during a catch-up that outlasted it,
        // it sent a restarted replica into a view of its own for good.
        if (name === "progress" && this.deps.behind()) {
          this.setTimer(name, Date.now() + PROGRESS_HOLD_RECHECK_MS);
          return;
        }
        this.enqueue({ type: "timer", name });
      },
      Math.max(0, at - Date.now()),
    );
    this.timers.set(name, timer);
  }

  private async propose(ask: Extract<Effect, { type: "requestProposal" }>): Promise<void> {
    const { ledger, mempool } = this.deps;
    const head = ledger.head;
    const parents = this.inFlight.parentsOf(ask.height, ask.prevHash, head);
    if (parents === null) return; // The parent was never executed here: no proposal this time.
    const parentTime = parents.at(-1)?.header.time ?? head.time;
    // Within the replica's byte cap (the view-change body budget), header and framing aside.
    const candidates = mempool.takeForProposal(
      ask.height,
      this.deps.blockTxsMax,
      ask.bytesMax - BLOCK_FRAME_BYTES_MAX,
      TX_FRAME_BYTES,
    );
    const now = Date.now();
    let built: Awaited<ReturnType<Ledger["buildBlock"]>>;
    try {
      built = await ledger.buildBlock(
        {
          height: ask.height,
          view: ask.view,
          proposer: ask.proposer,
          // The clock, or just after a parent whose time is ahead of it; buildBlock refuses a
          // time beyond this node's clock + clockSkewMaxMs, which every replica would refuse.
          time: Math.max(now, parentTime + 1),
          txs: candidates,
        },
        { parents, isVerified: (id) => mempool.isVerified(id), now },
      );
    } catch (error) {
      if (!(error instanceof CareLedgerError)) throw error;
      // No proposal this time (the view timer moves on to another primary if it persists).
      mempool.unpropose(candidates.map((signed) => toHex(signed.id)));
      this.deps.log.warn({ height: ask.height, reason: error.message }, "could not propose");
      return;
    }
    mempool.leftOut(
      built.excluded.map((refused) => toHex(refused.id)),
      (id) => parents.find((parent) => parent.txIds.has(id))?.header.height ?? null,
    );
    mempool.unpropose(built.deferred.map(toHex));
    this.inFlight.add(built.result);
    this.proposedHeight = ask.height;
    this.proposedAtMs = Date.now();
    // The flag first: a `txsPending: true` queued before this answer would otherwise make the
    // replica ask for the next block as soon as it takes this one.
    this.signalPending(this.proposalWanted());
    this.enqueue({ type: "proposal", block: built.block });
  }

  /** Executes a proposed block on its in-flight parents; true when every root matches. */
  private async validate(block: Block): Promise<boolean> {
    const head = this.deps.ledger.head;
    if (this.inFlight.get(blockHash(block.header)) !== undefined) return true;
    const parents = this.inFlight.parentsOf(block.header.height, block.header.prevHash, head);
    if (parents === null) return false;
    try {
      const result = await this.deps.ledger.executeBlock(block, {
        parents,
        isVerified: (id) => this.deps.mempool.isVerified(id),
        // The verdict is this node's: a header too far ahead of its clock is refused.
        now: Date.now(),
      });
      this.inFlight.add(result);
      this.deps.mempool.noteVerified(result.txIds);
      return true;
    } catch (error) {
      if (!(error instanceof CareLedgerError)) throw error;
      this.deps.log.warn(
        { height: block.header.height, reason: error.message },
        "refused a proposed block",
      );
      return false;
    }
  }

  private async commit(block: Block, certificate: CommitCertificate): Promise<void> {
    const { ledger } = this.deps;
    // Block sync may have committed this height already, from the same certificate's quorum.
    if (block.header.height <= ledger.head.height) return;
    let result = this.inFlight.get(certificate.blockHash);
    if (result === undefined) {
      const head = ledger.head;
      const parents =
        this.inFlight.parentsOf(block.header.height, block.header.prevHash, head) ?? [];
      result = await ledger.executeBlock(block, { parents });
    }
    await ledger.commit(block, certificate, result);
    await this.committedBlock(block, result);
    this.inFlight.pruneTo(block.header.height);
    await this.consensusLog.pruneTo(block.header.height);
    this.deps.committed(block, certificate, result);
  }

  private noticeViewChange(cause: string): void {
    const view = this.deps.replica.view;
    if (view === this.lastView) return;
    this.lastView = view;
    this.proposedHeight = -1;
    this.deps.mempool.releaseProposal(this.deps.ledger.head.height + 1);
    if (this.deps.mempool.hasUnproposed()) this.signalPending(true);
    this.deps.viewChanged(view, cause);
  }
}
