import type { ExpectedSubtree, Ledger, SnapshotOffer, StateRestore } from "@careledger/ledger";
import {
  blockHash,
  bytesEqual,
  CareLedgerError,
  type ValidatorSet,
  type Verifier,
  validatorsHash,
  verifyCertificate,
} from "@careledger/protocol";
import type { Logger } from "../logger.js";
import { encodeStateSyncMessage, type StateSyncMessage } from "./stateSyncMessages.js";

/** How long to gather offers after the first one arrives: the others' are usually as fresh. */
export const OFFERS_GATHER_MS = 2_000;
/** How long to wait for any offer before giving up on state sync (block sync then). */
export const OFFERS_WAIT_MS_MAX = 30_000;
/** How often the offer request is sent again while none arrived (peers still connecting). */
const OFFER_REQUEST_INTERVAL_MS = 1_000;
/** A chunk not answered within this long is asked of another peer. */
export const CHUNK_TIMEOUT_MS = 5_000;
/** Chunk requests out to one peer at once. */
const CHUNKS_PER_PEER_MAX = 2;
/** Timeouts after which a peer is no longer asked. */
const PEER_TIMEOUTS_MAX = 3;

export interface StateSyncDeps {
  readonly ledger: Ledger;
  readonly verifier: Verifier;
  /**
   * The validator set that must certify the snapshot's header: genesis's, or the operator's
   * `stateSync.trustValidators`. The trust anchor: nothing a peer says is taken without it.
   */
  readonly trusted: ValidatorSet;
  readonly send: (toNodeKey: string, bytes: Uint8Array) => void;
  readonly peers: () => readonly string[];
  /** A peer sent something provably wrong: the network scores it (and hangs up at a limit). */
  readonly misbehaved: (peer: string, reason: string) => void;
  /** Counted outcomes of chunks, for the metrics. */
  readonly chunk: (outcome: "ok" | "invalid" | "missing" | "timeout") => void;
  readonly log: Logger;
  readonly chunkTimeoutMs?: number;
  readonly offersWaitMsMax?: number;
}

export interface StateSyncOutcome {
  readonly height: number;
  readonly keys: number;
  readonly chunks: number;
  readonly ms: number;
}

interface Asked {
  readonly expected: ExpectedSubtree;
  readonly timer: NodeJS.Timeout;
}

/**
 * Fetches a recent snapshot's state from peers into a fresh ledger. The snapshot's block must be
 * certified by a quorum of the trusted validator set (its header's validatorsHash that set's);
 * its stateRoot then anchors every chunk (StateRestore verifies each against the hash its path
 * must have). A peer whose chunk fails is reported and asked no more, the chunk asked of another;
 * the assembled state must reproduce the stateRoot before the one batch is written. Returns null
 * (and writes nothing) when no peer offers a usable snapshot or every server failed: the node
 * then block-syncs from where it is.
 */
export class StateSync {
  private readonly offers = new Map<string, SnapshotOffer>();
  /** Peers that answered the offer request, with an offer or without. */
  private readonly answered = new Set<string>();
  private restore: StateRestore | null = null;
  private servers: string[] = [];
  private readonly queue: ExpectedSubtree[] = [];
  /** Outstanding chunk requests by peer, then by path. */
  private readonly asked = new Map<string, Map<string, Asked>>();
  private readonly timeouts = new Map<string, number>();
  private chunks = 0;
  private settle: ((value: boolean) => void) | null = null;
  private offerArrived: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly deps: StateSyncDeps) {}

  /** Whether a fetch is under way (messages of the snapshot channel are its). */
  get active(): boolean {
    return !this.stopped;
  }

  async run(): Promise<StateSyncOutcome | null> {
    const startedAt = Date.now();
    try {
      const offer = await this.gatherOffers();
      if (offer === null) return null;
      const { height } = offer.block.header;
      this.deps.log.info({ height, peers: this.servers.length }, "state sync: fetching snapshot");
      const restore = this.deps.ledger.beginStateRestore(
        offer.block,
        offer.certificate,
        offer.encodedReceipts,
      );
      this.restore = restore;
      this.queue.push(restore.root);
      const complete = await new Promise<boolean>((done) => {
        this.settle = done;
        this.pump();
      });
      if (!complete) {
        await restore.abort();
        this.deps.log.warn({ height }, "state sync: no peer left to serve the snapshot");
        return null;
      }
      await restore.finish();
      return { height, keys: restore.keys, chunks: this.chunks, ms: Date.now() - startedAt };
    } finally {
      this.stop();
    }
  }

  stop(): void {
    this.stopped = true;
    for (const byPath of this.asked.values())
      for (const asked of byPath.values()) clearTimeout(asked.timer);
    this.asked.clear();
    this.settle?.(false);
    this.offerArrived?.();
  }

  onMessage(fromPeer: string, message: StateSyncMessage): void {
    if (this.stopped) return;
    if (message.kind === "offer") this.takeOffer(fromPeer, message.offer);
    else if (message.kind === "noOffer") this.tookAnswer(fromPeer);
    else if (message.kind === "chunk") this.takeChunk(fromPeer, message);
  }

  /** Asks every peer for its newest snapshot until offers came (and a little more) or time ran out. */
  private async gatherOffers(): Promise<SnapshotOffer | null> {
    const request = encodeStateSyncMessage({ kind: "offerRequest" });
    const ask = () => {
      for (const peer of this.deps.peers()) this.deps.send(peer, request);
    };
    ask();
    const again = setInterval(() => {
      if (this.offers.size === 0) ask();
    }, OFFER_REQUEST_INTERVAL_MS);
    try {
      const waitMax = this.deps.offersWaitMsMax ?? OFFERS_WAIT_MS_MAX;
      const allAnswered = () => this.answered.size >= this.deps.peers().length;
      await this.until(waitMax, () => this.offers.size > 0 || allAnswered());
      await this.until(OFFERS_GATHER_MS, allAnswered);
    } finally {
      clearInterval(again);
    }
    let best: SnapshotOffer | null = null;
    for (const offer of this.offers.values()) {
      if (best === null || offer.block.header.height > best.block.header.height) best = offer;
    }
    if (best === null) return null;
    const height = best.block.header.height;
    // Peers with a snapshot this new or newer hold this one too (they keep the last two).
    this.servers = [...this.offers]
      .filter(([, offer]) => offer.block.header.height >= height)
      .map(([peer]) => peer);
    return best;
  }

  private async until(ms: number, done: () => boolean): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done() && !this.stopped && Date.now() < deadline) {
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
        this.offerArrived = () => {
          clearTimeout(timer);
          wake();
        };
      });
    }
  }

  private takeOffer(peer: string, offer: SnapshotOffer): void {
    if (this.restore !== null) return;
    try {
      this.checkTrusted(offer);
    } catch (error) {
      if (!(error instanceof CareLedgerError)) throw error;
      this.deps.log.warn({ peer, reason: error.message }, "state sync: untrusted snapshot offer");
      this.deps.misbehaved(peer, `snapshot offer: ${error.message}`);
      this.tookAnswer(peer);
      return;
    }
    this.offers.set(peer, offer);
    this.tookAnswer(peer);
  }

  private tookAnswer(peer: string): void {
    this.answered.add(peer);
    this.offerArrived?.();
  }

  /** The offer's block is certified by a quorum of the trusted set, for this chain. */
  private checkTrusted(offer: SnapshotOffer): void {
    const { header } = offer.block;
    const { ledger, trusted, verifier } = this.deps;
    if (!bytesEqual(header.chain, ledger.chainId) || header.height <= ledger.head.height) {
      throw new CareLedgerError("SNAPSHOT_UNTRUSTED", "snapshot of another chain or not ahead");
    }
    if (!bytesEqual(header.validatorsHash, validatorsHash(trusted))) {
      throw new CareLedgerError(
        "SNAPSHOT_UNTRUSTED",
        "the snapshot's validator set is not the trusted one (set stateSync.trustValidators)",
      );
    }
    if (offer.certificate.height !== header.height) {
      throw new CareLedgerError("SNAPSHOT_UNTRUSTED", "certificate is for another height");
    }
    try {
      verifyCertificate(offer.certificate, blockHash(header), trusted, ledger.chainId, verifier);
    } catch (error) {
      if (!(error instanceof CareLedgerError)) throw error;
      throw new CareLedgerError("SNAPSHOT_UNTRUSTED", `certificate: ${error.message}`);
    }
  }

  /** Sends queued paths to free servers; settles when everything arrived or nobody is left. */
  private pump(): void {
    if (this.stopped || this.restore === null) return;
    const inFlight = [...this.asked.values()].reduce((sum, byPath) => sum + byPath.size, 0);
    if (this.queue.length === 0 && inFlight === 0) {
      this.settle?.(true);
      return;
    }
    if (this.servers.length === 0) {
      this.settle?.(false);
      return;
    }
    let turn = 0;
    for (let free = true; free && this.queue.length > 0; ) {
      free = false;
      for (const peer of this.servers) {
        const byPath = this.asked.get(peer) ?? new Map<string, Asked>();
        if (byPath.size >= CHUNKS_PER_PEER_MAX || this.queue.length === 0) continue;
        free = true;
        this.ask(peer, byPath, this.queue.shift() as ExpectedSubtree);
        turn += 1;
      }
    }
    if (turn === 0 && inFlight === 0) this.settle?.(false);
  }

  private ask(peer: string, byPath: Map<string, Asked>, expected: ExpectedSubtree): void {
    const height = (this.restore as StateRestore).height;
    this.deps.send(
      peer,
      encodeStateSyncMessage({ kind: "chunkRequest", height, path: expected.path }),
    );
    const timer = setTimeout(() => {
      byPath.delete(expected.path);
      this.deps.chunk("timeout");
      const count = (this.timeouts.get(peer) ?? 0) + 1;
      this.timeouts.set(peer, count);
      if (count >= PEER_TIMEOUTS_MAX) this.drop(peer);
      this.queue.push(expected);
      this.pump();
    }, this.deps.chunkTimeoutMs ?? CHUNK_TIMEOUT_MS);
    byPath.set(expected.path, { expected, timer });
    this.asked.set(peer, byPath);
  }

  private takeChunk(peer: string, message: Extract<StateSyncMessage, { kind: "chunk" }>): void {
    const restore = this.restore;
    const asked = this.asked.get(peer)?.get(message.path);
    if (restore === null || asked === undefined || message.height !== restore.height) return;
    clearTimeout(asked.timer);
    this.asked.get(peer)?.delete(message.path);
    const { chunk } = message;
    if (chunk === null) {
      // The peer dropped the snapshot (a newer one replaced it): not a fault, but no server.
      this.deps.chunk("missing");
      this.drop(peer);
      this.queue.push(asked.expected);
    } else {
      try {
        if (chunk.kind === "leaves") restore.addLeaves(asked.expected, chunk.entries);
        else this.queue.push(...restore.addNode(asked.expected, chunk.node));
        this.chunks += 1;
        this.deps.chunk("ok");
      } catch (error) {
        if (!(error instanceof CareLedgerError)) throw error;
        this.deps.chunk("invalid");
        this.deps.log.warn({ peer, reason: error.message }, "state sync: peer sent a bad chunk");
        this.deps.misbehaved(peer, `snapshot chunk: ${error.message}`);
        this.drop(peer);
        this.queue.push(asked.expected);
      }
    }
    this.pump();
  }

  /** Asks the peer no more; its outstanding requests go to others. */
  private drop(peer: string): void {
    this.servers = this.servers.filter((server) => server !== peer);
    for (const asked of this.asked.get(peer)?.values() ?? []) {
      clearTimeout(asked.timer);
      this.queue.push(asked.expected);
    }
    this.asked.delete(peer);
  }
}
