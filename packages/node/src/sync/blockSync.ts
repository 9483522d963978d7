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
  type SyncMessage,
  syncItemBytes,
} from "./messages.js";

/** A peer that has not answered a sync request within this long is passed over. */
export const SYNC_RESPONSE_TIMEOUT_MS = 3_000;
/** How often a node announces its head to its peers. */
export const HEAD_ANNOUNCE_INTERVAL_MS = 2_000;
/**
 * How far a peer's head may be ahead before this node syncs rather than waits for consensus:
 * in-flight heights (the window) commit through consensus itself.
 */
export const SYNC_LAG_HEIGHTS_MIN = 3;

export interface BlockSyncDeps {
  readonly ledger: Ledger;
  readonly verifier: Verifier;
  readonly send: (toNodeKey: string, bytes: Uint8Array) => void;
  readonly peers: () => readonly string[];
  /** Runs `apply` with the ledger to itself (no consensus commit in between). */
  readonly exclusive: <T>(apply: () => Promise<T>) => Promise<T>;
  /** Inside the commit's turn: the consensus news of the block (the driver's committedBlock). */
  readonly decided: (block: Block, result: ExecutionResult) => Promise<void>;
  /** A synced block was committed: the node tells the mempool, the API and metrics. */
  readonly committed: (block: Block, certificate: CommitCertificate) => void;
  /** Sync reached its target: the replica may resume from there. */
  readonly synced: (height: number, hash: Uint8Array, certificate: CommitCertificate) => void;
  readonly log: Logger;
}

/**
 * Catches a node up: asks one peer at a time for certified blocks above its head, checks each
 * against its certificate and the validator set of its height, executes and commits it, and
 * asks again until it reaches the highest head a peer reported. Serves the same requests.
 */
export class BlockSync {
  private target = 0;
  private asked: { peer: string; timer: NodeJS.Timeout } | null = null;
  private peerTurn = 0;
  private lastCertificate: CommitCertificate | null = null;

  constructor(private readonly deps: BlockSyncDeps) {}

  get syncing(): boolean {
    return this.asked !== null;
  }

  get targetHeight(): number {
    return this.target;
  }

  request(toHeight: number): void {
    this.target = Math.max(this.target, toHeight);
    if (this.asked === null) this.askNext();
  }

  /** Tells peers this node's head; called every HEAD_ANNOUNCE_INTERVAL_MS. */
  announce(broadcast: (bytes: Uint8Array) => void): void {
    broadcast(encodeSyncMessage({ kind: "head", height: this.deps.ledger.head.height }));
  }

  async onMessage(fromPeer: string, message: SyncMessage): Promise<void> {
    if (message.kind === "head") {
      // A peer this far ahead has committed what consensus here will not deliver: fetch it.
      if (message.height >= this.deps.ledger.head.height + SYNC_LAG_HEIGHTS_MIN)
        this.request(message.height);
      return;
    }
    if (message.kind === "request") {
      await this.serve(fromPeer, message.from, message.count);
      return;
    }
    if (this.asked === null || this.asked.peer !== fromPeer) return;
    clearTimeout(this.asked.timer);
    this.asked = null;
    this.target = Math.max(this.target, message.head);
    const progressed = await this.applyAll(message.items, fromPeer);
    const head = this.deps.ledger.head;
    if (head.height < this.target && (progressed || message.items.length === 0)) {
      this.askNext(progressed ? 0 : 1);
    } else if (this.lastCertificate !== null && head.height >= this.target) {
      this.deps.synced(head.height, head.hash, this.lastCertificate);
    }
  }

  stop(): void {
    if (this.asked !== null) clearTimeout(this.asked.timer);
    this.asked = null;
  }

  private askNext(skip = 0): void {
    const peers = this.deps.peers();
    if (peers.length === 0) return;
    this.peerTurn = (this.peerTurn + skip) % peers.length;
    const peer = peers[this.peerTurn] as string;
    const from = this.deps.ledger.head.height + 1;
    this.deps.send(
      peer,
      encodeSyncMessage({ kind: "request", from, count: SYNC_BLOCKS_PER_MESSAGE_MAX }),
    );
    const timer = setTimeout(() => {
      this.asked = null;
      this.askNext(1);
    }, SYNC_RESPONSE_TIMEOUT_MS);
    this.asked = { peer, timer };
  }

  /** Applies the blocks that extend the head, in order; false when none did. */
  private async applyAll(
    items: readonly CertifiedBlockBytes[],
    fromPeer: string,
  ): Promise<boolean> {
    let progressed = false;
    for (const item of items) {
      try {
        const applied = await this.deps.exclusive(() =>
          this.applyOne(item.block, item.certificate),
        );
        if (applied) {
          progressed = true;
          this.lastCertificate = item.certificate;
          this.deps.committed(item.block, item.certificate);
        }
      } catch (error) {
        if (!(error instanceof CareLedgerError)) throw error;
        this.deps.log.warn(
          { peer: fromPeer, reason: error.message },
          "peer sent an invalid synced block",
        );
        return progressed;
      }
    }
    return progressed;
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
    const result = await ledger.executeBlock(block);
    await ledger.commit(block, certificate, result);
    await this.deps.decided(block, result);
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
