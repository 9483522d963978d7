// Over 400 lines: the wiring of every part (ledger, replica, mempool, block and state sync,
// network, modules, API), the peer-message routing between them, and the NodeApi answers that need more than the
// ledger (status, admission, tx lookups in the mempool, metrics). The ledger-only reads are in
// ledgerReads.ts, the mempool's ledger checks in ledgerMempool.ts, the modules' LocalStore,
// services and workers in moduleHost.ts; the halt and membership hooks are next to split out
// (they share the validator set and the network with the wiring, so they move together), then
// the state-sync start and snapshot serving (sync/stateSync*.ts hold the logic; here only the
// order of start and the routing of the snapshot channel).
import { join } from "node:path";
import {
  type ApiServer,
  buildApiServer,
  type NodeApi,
  type NodeEvent,
  type NodeStatus,
  type TxLookup,
} from "@careledger/api";
import { type ConsensusMessage, decodeMessage, Replica } from "@careledger/consensus";
import { buildConsole } from "@careledger/console";
import { type ExecutionResult, Ledger } from "@careledger/ledger";
import {
  type Block,
  blockHash,
  bytesEqual,
  CareLedgerError,
  type CommitCertificate,
  faultyMax,
  type Organization,
  QUERY_PAGE_ITEMS_MAX,
  quorumSize,
  type Receipt,
  type SignedTx,
  type Signer,
  toHex,
  type ValidatorSet,
} from "@careledger/protocol";
import { AdmissionQueue } from "./admissionQueue.js";
import { apiHostOf } from "./apiTls.js";
import { ChainEvents, eventsOf, receiptView } from "./chainEvents.js";
import type { NodeHome } from "./config.js";
import { ConsensusDriver } from "./consensus/driver.js";
import { decodeRecord, heightOfKey } from "./consensus/persistCodec.js";
import { pendingChanges } from "./consensus/validatorChanges.js";
import { decodeGossip, encodeGossip, GOSSIP_BATCH_TXS_MAX, GossipBatcher } from "./gossip.js";
import { ledgerMempool } from "./ledgerMempool.js";
import { LedgerReads } from "./ledgerReads.js";
import { LoadShedder } from "./loadShedder.js";
import type { Logger } from "./logger.js";
import type { Mempool } from "./mempool.js";
import { NodeMetrics } from "./metrics.js";
import { ModuleHost } from "./moduleHost.js";
import {
  CHANNELS,
  type ChannelName,
  GOSSIP_ITEM_OVERHEAD_BYTES,
  GOSSIP_TXS_BYTES_MAX,
} from "./p2p/channels.js";
import { Network } from "./p2p/network.js";
import { nodeCryptoSigner } from "./signer.js";
import {
  BlockSync,
  HEAD_ANNOUNCE_INTERVAL_MS,
  SYNC_RESPONSE_TIMEOUT_MS,
} from "./sync/blockSync.js";
import { decodeSyncMessage } from "./sync/messages.js";
import type { StateSync } from "./sync/stateSync.js";
import { decodeStateSyncMessage } from "./sync/stateSyncMessages.js";
import { serveStateSync } from "./sync/stateSyncServe.js";
import { runStateSync, wantsStateSync } from "./sync/stateSyncStart.js";
import { sodiumVerifier } from "./verifier.js";

export const DATA_DIR = "data";
/**
 * A catch-up that committed no block for this long no longer holds the progress timer: two
 * sync response timeouts, so one peer that does not answer is passed over within it.
 */
const SYNC_STALL_MS = 2 * SYNC_RESPONSE_TIMEOUT_MS;
/** Longest wait at startup for a quorum of peers before consensus starts anyway. */
export const STARTUP_PEERS_WAIT_MS = 15_000;
const STARTUP_PEERS_POLL_MS = 50;
/** Shortest interval between checks of the request timer and of transactions to re-gossip. */
const REQUEST_CHECK_MS_MIN = 50;

/** What the operator says when starting a node (the `careledger start` flags). */
export interface StartOptions {
  /**
   * The consensus log is empty because this key never voted (a new validator on a running
   * chain), not because it was lost: vote at once. Otherwise a validator with an empty log on a
   * chain past genesis follows without voting until it has installed a view above every view
   * a quorum showed it (consensus README, amnesia.ts).
   */
  readonly unsafeResetVotes?: boolean;
  /** `--state-sync`: state-sync a fresh data directory (overrides config `stateSync.enabled`). */
  readonly stateSync?: boolean;
}

/** Connections the kernel holds for the API before it accepts them. */
const API_ACCEPT_BACKLOG = 2_048;

/**
 * A consortium node: the ledger, the replica with its driver, the mempool, block sync, the
 * libp2p network and the HTTP API, wired together. It implements the API's NodeApi.
 */
export class CareLedgerNode implements NodeApi {
  private readonly events = new ChainEvents();
  private readonly metricsRegistry = new NodeMetrics();
  private readonly gossip: GossipBatcher;
  private readonly admission: AdmissionQueue;
  private readonly shedder = new LoadShedder();
  private readonly reads: LedgerReads;
  private readonly signer: Signer;
  private readonly nodeKeyHex: string;
  private readonly timers: NodeJS.Timeout[] = [];
  private validators: ValidatorSet;
  private network!: Network;
  private driver!: ConsensusDriver;
  private sync!: BlockSync;
  private replica!: Replica;
  private api: ApiServer | null = null;
  /** Node keys of the member organizations: the only peers the gater admits. */
  private members = new Set<string>();
  /** The last height whose header announced a different validator set for the next one. */
  private validatorsChangedAt = -1;
  /** Set when consensus stopped for good: /readyz answers NOT_READY until the process exits. */
  private haltedBy: { error: unknown } | null = null;
  private readonly haltListeners: Array<(error: unknown) => void> = [];
  /** When block sync last committed a block (or the node started): whether catch-up moves. */
  private syncProgressAtMs = Date.now();
  /** The state-sync fetcher while it runs (before consensus starts). */
  private stateSync: StateSync | null = null;
  /** Consensus, gossip and block sync messages wait for this (a state sync runs first). */
  private consensusStarted = false;

  private constructor(
    private readonly home: NodeHome,
    private readonly ledger: Ledger,
    private readonly mempool: Mempool,
    private readonly log: Logger,
    validators: ValidatorSet,
    private readonly requestTimeoutMs: number,
    signer: Signer,
    private readonly modules: ModuleHost,
  ) {
    this.validators = validators;
    this.reads = new LedgerReads(ledger, modules.servicesFor);
    this.signer = signer;
    this.nodeKeyHex = toHex(this.signer.publicKey);
    this.gossip = new GossipBatcher((bytes) => this.broadcast("txs", bytes));
    this.admission = new AdmissionQueue((bytes, fromClient) => this.admit(bytes, fromClient));
  }

  /** The periodic work, started once every part exists. */
  private startTimers(): void {
    // At once too: peers ahead answer, so a node that restarted knows at once it is behind.
    this.sync.announce((bytes) => this.broadcast("sync", bytes));
    const requestCheckMs = Math.max(REQUEST_CHECK_MS_MIN, this.requestTimeoutMs / 4);
    this.timers.push(
      setInterval(() => this.checkRequestTimeouts(), requestCheckMs),
      setInterval(
        () => this.sync.announce((bytes) => this.broadcast("sync", bytes)),
        HEAD_ANNOUNCE_INTERVAL_MS,
      ),
    );
  }

  static async start(
    home: NodeHome,
    log: Logger,
    options: StartOptions = {},
  ): Promise<CareLedgerNode> {
    const snapshotIntervalHeights = home.config.stateSync?.snapshotIntervalHeights;
    const ledger = await Ledger.open(join(home.dir, DATA_DIR), home.genesis, {
      verifier: sodiumVerifier,
      ...(snapshotIntervalHeights === undefined ? {} : { snapshotIntervalHeights }),
      onHandlerError: (tx, type, error) =>
        log.error(
          { err: error, tx, type },
          "a transaction handler failed; receipt EXECUTION_FAILED",
        ),
    });
    const config = await ledger.consensusConfig();
    // Called only once the node has started, so `node` is there.
    const mempool = ledgerMempool(ledger, home.config, (): boolean => node.sync.syncing);
    // Made once: deriving the public key from the secret costs about a millisecond (noble).
    const signer = nodeCryptoSigner(home.nodeSecretKey);
    const modules = await ModuleHost.open({
      homeDir: home.dir,
      ledger,
      keyEncryptionKey: home.keyEncryptionKey,
      signer,
      // The node's own transactions take a client's path: admitted, then gossiped.
      admit: (bytes) => node.admission.admit(bytes, true),
      log,
      settings: home.config.modules ?? {},
    });
    const node = new CareLedgerNode(
      home,
      ledger,
      mempool,
      log,
      config.validators,
      config.params.requestTimeoutMs,
      signer,
      modules,
    );
    if (wantsStateSync(ledger, home.config, options.stateSync)) {
      // The network first, to fetch the state from peers; consensus then starts at its height.
      await node.startNetwork();
      await node.syncState();
      await node.startConsensus(options);
    } else {
      await node.startConsensus(options);
      await node.startNetwork();
    }
    node.consensusStarted = true;
    // After open and before serving: a worker resumes what a crash interrupted first.
    await modules.startWorkers();
    await node.startApi();
    await node.waitForQuorumPeers();
    node.startTimers();
    node.syncProgressAtMs = Date.now();
    node.driver.enqueue({ type: "start" });
    log.info({ height: ledger.head.height, view: node.replica.view }, "node started");
    return node;
  }

  private async startConsensus(options: StartOptions): Promise<void> {
    const { ledger } = this;
    const config = await ledger.consensusConfig();
    const head = ledger.head;
    const stored = await ledger.reads.block(head.height);
    const genesis = await ledger.reads.block(0);
    if (genesis === null) throw new CareLedgerError("INTERNAL", "ledger has no genesis block");
    const entries = await ledger.consensusLog.entries();
    // Records at or below the committed head are spent: prune them, replay the rest.
    const stale = entries.filter(
      ([key]) => (heightOfKey(key) ?? Number.POSITIVE_INFINITY) <= head.height,
    );
    if (stale.length > 0)
      await ledger.consensusLog.write(
        [],
        stale.map(([key]) => key),
      );
    const live = entries.filter(
      ([key]) => (heightOfKey(key) ?? Number.POSITIVE_INFINITY) > head.height,
    );
    this.replica = Replica.restore(
      {
        chainId: ledger.chainId,
        signer: this.signer,
        verifier: sodiumVerifier,
        params: config.params,
        genesisValidators: config.validators,
        genesisHash: blockHash(genesis.block.header),
        ...(options.unsafeResetVotes === true ? { unsafeResetVotes: true } : {}),
      },
      { height: head.height, hash: head.hash, certificate: stored?.certificate ?? null },
      live.map(([, value]) => decodeRecord(value)),
      // The set at the head stands in for genesis's, plus the changes still to take effect.
      await pendingChanges(ledger),
    );
    this.driver = new ConsensusDriver({
      replica: this.replica,
      ledger,
      mempool: this.mempool,
      nodeKey: this.signer.publicKey,
      blockTxsMax: config.params.blockTxsMax,
      send: (channel, to, bytes) => this.send(channel, to, bytes),
      broadcast: (channel, bytes) => this.broadcast(channel, bytes),
      requestSync: (_from, to) => this.sync.request(to),
      committed: (block, certificate, result) => this.afterCommit(block, certificate, result),
      viewChanged: (view, cause) => {
        this.metricsRegistry.view.set(view);
        this.metricsRegistry.viewChanges.inc();
        this.log.info({ view, cause, height: this.ledger.head.height }, "entered view");
      },
      halted: (error) => this.halt(error),
      // Bounded: a peer announcing a head it cannot serve must not hold the timer for good.
      behind: () =>
        this.sync.targetHeight > this.ledger.head.height &&
        Date.now() - this.syncProgressAtMs < SYNC_STALL_MS,
      log: this.log,
    });
    this.driver.adoptLogKeys(live.map(([key]) => key));
    this.sync = new BlockSync({
      ledger,
      verifier: sodiumVerifier,
      send: (to, bytes) => this.send("sync", to, bytes),
      peers: () => this.home.config.peers.map((peer) => peer.nodeKey),
      witnessesMin: () => faultyMax(this.validators.length) + 1,
      exclusive: (work) => this.driver.exclusive(work),
      decided: (block, result) => this.driver.committedBlock(block, result),
      fatal: (error) => {
        this.log.fatal({ err: error }, "block sync failed; stopping consensus");
        this.driver.stop();
        this.halt(error);
      },
      // The replica hears of every synced block, not only of the last: its head (and with it
      // its progress timer) moves during a long catch-up, which otherwise outlasted the timer
      // and sent a restarted replica into a view of its own.
      committed: (block, certificate) => {
        const { height } = block.header;
        this.syncProgressAtMs = Date.now();
        this.driver.enqueue({ type: "synced", height, hash: blockHash(block.header), certificate });
        this.afterSyncedCommit(block).catch((error: unknown) => {
          this.log.error({ err: error, height }, "after a synced commit");
        });
      },
      synced: (height, hash, certificate) => {
        this.metricsRegistry.syncTarget.set(0);
        this.driver.enqueue({ type: "synced", height, hash, certificate });
      },
      log: this.log,
    });
  }

  /**
   * State sync (sync/stateSync.ts): restores a peer's certified snapshot into the fresh ledger.
   * The replica then starts at that height with an empty consensus log, so the amnesia guard
   * (consensus amnesia.ts) keeps it from voting until it has caught up with a quorum's views,
   * and block sync fetches the blocks above the snapshot as after any restart.
   */
  private async syncState(): Promise<void> {
    const outcome = await runStateSync(
      {
        ledger: this.ledger,
        verifier: sodiumVerifier,
        config: this.home.config,
        send: (to, bytes) => this.send("snapshot", to, bytes),
        peers: () => this.home.config.peers.map((peer) => peer.nodeKey),
        misbehaved: (peer, reason) => this.network.misbehaved(peer, reason),
        chunk: (outcome) => this.metricsRegistry.stateSyncChunks.inc({ outcome }),
        log: this.log,
      },
      (fetcher) => {
        this.stateSync = fetcher;
      },
    );
    if (outcome === null) return;
    this.metricsRegistry.stateSyncHeight.set(outcome.height);
    this.metricsRegistry.height.set(outcome.height);
    await this.refreshMembership();
  }

  private async startNetwork(): Promise<void> {
    const { config } = this.home;
    // From the ledger, not genesis: governance may have removed or added members since.
    this.members = await this.readMembers();
    this.network = await Network.start({
      nodeSecretKey: this.home.nodeSecretKey,
      listen: `/ip4/${config.host}/tcp/${config.p2pPort}`,
      announce: this.home.announce,
      peers: config.peers,
      isMember: (key) => this.members.has(key),
      onMessage: (channel, from, bytes) => this.onPeerMessage(channel, from, bytes),
      onPeerChange: (count) => this.metricsRegistry.peers.set(count),
      log: (event, fields) => this.log.warn(fields, event),
    });
  }

  private async startApi(): Promise<void> {
    const { config } = this.home;
    this.api = await buildApiServer(this, {
      bodyBytesMax: config.apiBodyBytesMax,
      requestTimeoutMs: config.apiRequestTimeoutMs,
      requestsPerMinuteMax: config.apiRequestsPerMinuteMax,
      // Bundled at the first request for `/`, so a node that nobody browses pays nothing.
      console: buildConsole,
      ...(this.home.apiTls !== undefined && { tls: this.home.apiTls }),
    });
    // A deeper accept queue than the default 511: a burst of connections waits for the event
    // loop instead of being dropped by the kernel; the server then sheds what it cannot serve.
    await this.api.listen({
      host: apiHostOf(config),
      port: config.apiPort,
      backlog: API_ACCEPT_BACKLOG,
    });
  }

  /**
   * Holds consensus back until enough peers are connected to form a quorum (or a bound
   * passes): a replica that starts its view timers alone only changes view alone.
   */
  private async waitForQuorumPeers(): Promise<void> {
    const needed = quorumSize(this.validators.length) - 1;
    const deadline = Date.now() + STARTUP_PEERS_WAIT_MS;
    while (this.network.connectedPeers < needed && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, STARTUP_PEERS_POLL_MS));
    }
  }

  private onPeerMessage(channel: ChannelName, from: string, bytes: Uint8Array): void {
    this.metricsRegistry.messagesIn.inc({ channel });
    try {
      if (channel === "snapshot") {
        this.onSnapshotMessage(from, bytes);
      } else if (!this.consensusStarted) {
        // Before a state sync ends there is no replica yet: peers announce again.
      } else if (channel === "consensus") {
        const message: ConsensusMessage = decodeMessage(bytes, (id) => this.mempool.get(id));
        this.driver.enqueue({ type: "message", message }, bytes.byteLength);
      } else if (channel === "txs") {
        for (const tx of decodeGossip(bytes)) {
          this.admission.admit(tx, false).catch(() => undefined);
        }
      } else {
        this.sync.onMessage(from, decodeSyncMessage(bytes)).catch((error: unknown) => {
          this.log.error({ err: error }, "block sync failed");
        });
      }
    } catch (error) {
      if (!(error instanceof CareLedgerError)) throw error;
      this.metricsRegistry.invalidMessages.inc({ channel });
      this.network.misbehaved(from, `${channel}: ${error.message}`);
    }
  }

  /** Serves peers' state-sync requests; answers go to this node's own fetch while it runs. */
  private onSnapshotMessage(from: string, bytes: Uint8Array): void {
    const message = decodeStateSyncMessage(bytes);
    if (message.kind === "offerRequest" || message.kind === "chunkRequest") {
      serveStateSync(this.ledger, message, (reply) => this.send("snapshot", from, reply)).catch(
        (error: unknown) => {
          // A malformed path is the peer's fault; anything else (the disk) is this node's.
          if (error instanceof CareLedgerError && error.code === "SNAPSHOT_CHUNK_INVALID") {
            this.network.misbehaved(from, error.message);
          } else this.log.error({ err: error }, "serving state sync failed");
        },
      );
    } else {
      this.stateSync?.onMessage(from, message);
    }
  }

  private send(channel: ChannelName, toNodeKey: string, bytes: Uint8Array): void {
    if (!this.fitsFrame(channel, bytes)) return;
    this.metricsRegistry.messagesOut.inc({ channel });
    this.network.send(channel, toNodeKey, bytes);
  }

  private broadcast(channel: ChannelName, bytes: Uint8Array): void {
    if (!this.fitsFrame(channel, bytes)) return;
    this.metricsRegistry.messagesOut.inc({ channel }, Math.max(1, this.network.connectedPeers));
    this.network.broadcast(channel, bytes);
  }

  /**
   * Peers refuse a frame over the channel's bound as misbehaviour: this node never sends one
   * (it would be banned for it), and says so, since the bounds are built to make it impossible.
   */
  private fitsFrame(channel: ChannelName, bytes: Uint8Array): boolean {
    if (bytes.byteLength <= CHANNELS[channel].messageBytesMax) return true;
    this.metricsRegistry.oversizedOut.inc({ channel });
    this.log.error({ channel, bytes: bytes.byteLength }, "message over its frame bound not sent");
    return false;
  }

  private async admit(bytes: Uint8Array, fromClient: boolean): Promise<SignedTx> {
    const signed = await this.mempool.admit(bytes);
    if (fromClient) this.gossip.add(signed.bytes);
    this.metricsRegistry.mempoolSize.set(this.mempool.size);
    this.driver.txsArrived();
    return signed;
  }

  /**
   * At half the request timeout, transactions that may be stranded here are gossiped again (to
   * every peer, the next primary included); only a stall that outlasts the whole timeout makes
   * this replica ask for a view change.
   */
  private checkRequestTimeouts(): void {
    const again = this.mempool.takeForRegossip(this.requestTimeoutMs / 2, {
      count: GOSSIP_BATCH_TXS_MAX,
      bytesMax: GOSSIP_TXS_BYTES_MAX,
      itemOverheadBytes: GOSSIP_ITEM_OVERHEAD_BYTES,
    });
    if (again.length > 0) this.broadcast("txs", encodeGossip(again));
    if (this.mempool.takeLate(this.requestTimeoutMs))
      this.driver.enqueue({ type: "requestTimedOut" });
  }

  private afterCommit(
    block: Block,
    _certificate: CommitCertificate,
    result: ExecutionResult,
  ): void {
    const now = Date.now();
    for (const signed of block.txs) {
      const admittedAt = this.mempool.admittedAt(toHex(signed.id));
      if (admittedAt !== null)
        this.metricsRegistry.commitLatency.observe((now - admittedAt) / 1000);
    }
    this.committed(block, result.receipts);
  }

  private async afterSyncedCommit(block: Block): Promise<void> {
    this.metricsRegistry.syncTarget.set(this.sync.targetHeight);
    this.committed(block, (await this.ledger.reads.receipts(block.header.height)) ?? []);
  }

  /** What follows every commit, by consensus or by sync. */
  private committed(block: Block, receipts: readonly Receipt[]): void {
    const { header } = block;
    this.mempool.onCommitted(
      header.height,
      block.txs.map((signed) => toHex(signed.id)),
    );
    this.metricsRegistry.height.set(header.height);
    this.metricsRegistry.committedTxs.inc(block.txs.length);
    this.shedder.noteCommitted(block.txs.length);
    this.metricsRegistry.mempoolSize.set(this.mempool.size);
    this.events.publish(eventsOf(block, receipts));
    this.modules.committed(block, receipts);
    // Governance changed something, or a validator-set change is announced or takes effect.
    const setChanges = !bytesEqual(header.validatorsHash, header.nextValidatorsHash);
    const governance = block.txs.some((signed) => signed.tx.type.startsWith("gov."));
    if (governance || setChanges || this.validatorsChangedAt === header.height - 1) {
      if (setChanges) this.validatorsChangedAt = header.height;
      this.refreshMembership().catch((error: unknown) => {
        this.log.error({ err: error, height: header.height }, "membership refresh failed");
      });
    }
  }

  /**
   * After governance: the validator set and the members the gater admits follow the ledger
   * (the replica had the validator-set changes from the driver, at commit).
   */
  private async refreshMembership(): Promise<void> {
    const config = await this.ledger.consensusConfig();
    this.validators = config.nextValidators;
    this.members = await this.readMembers();
    this.network.dropNonMembers();
  }

  /** Node keys of the member organizations and the validators, as the committed state has them. */
  private async readMembers(): Promise<Set<string>> {
    const orgs = await allOrganizations(this.ledger);
    const { validators, nextValidators } = await this.ledger.consensusConfig();
    return new Set([
      ...orgs.flatMap((org) => org.nodeKeys),
      ...[...validators, ...nextValidators].map(toHex),
    ]);
  }

  /**
   * Consensus stopped on an unexpected error: the node reports not ready and tells whoever
   * runs it (nodeProcess exits non-zero, and the supervisor restarts it from its durable state).
   */
  private halt(error: unknown): void {
    if (this.haltedBy !== null) return;
    this.haltedBy = { error };
    for (const listener of this.haltListeners) listener(error);
  }

  /** Calls `listener` once if consensus halts (at once if it already has). */
  onHalted(listener: (error: unknown) => void): void {
    if (this.haltedBy !== null) listener(this.haltedBy.error);
    else this.haltListeners.push(listener);
  }

  // NodeApi

  status(): NodeStatus {
    const head = this.ledger.head;
    const view = this.replica.view;
    return {
      chainId: this.ledger.chainId,
      nodeKey: this.signer.publicKey,
      height: head.height,
      headHash: head.hash,
      stateRoot: head.stateRoot,
      view,
      primary: this.validators[view % this.validators.length] as Uint8Array,
      validators: this.validators,
      peers: this.network.connectedPeers,
      syncing: this.sync.syncing,
      halted: this.haltedBy !== null,
    };
  }

  async submitTx(bytes: Uint8Array): Promise<Uint8Array> {
    this.shedder.checkPool(this.mempool.size);
    return (await this.admission.admit(bytes, true)).id;
  }

  async txById(id: Uint8Array): Promise<TxLookup> {
    if (this.mempool.has(toHex(id))) return { status: "pending" };
    const stored = await this.ledger.reads.tx(id);
    if (stored === null) return { status: "unknown" };
    return {
      status: "committed",
      height: stored.height,
      index: stored.index,
      receipt: receiptView(stored.receipt),
    };
  }

  readonly verifier = sodiumVerifier;

  // Reads of the committed ledger alone (ledgerReads.ts).
  readonly blockAt: NodeApi["blockAt"] = (height) => this.reads.blockAt(height);
  readonly eventsOfBlock: NodeApi["eventsOfBlock"] = (height) => this.reads.eventsOfBlock(height);
  readonly proveState: NodeApi["proveState"] = (key) => this.reads.proveState(key);
  readonly stateKeyScope: NodeApi["stateKeyScope"] = (key) => this.reads.stateKeyScope(key);
  readonly txProof: NodeApi["txProof"] = (id) => this.reads.txProof(id);
  readonly receiptProof: NodeApi["receiptProof"] = (id) => this.reads.receiptProof(id);
  readonly queryNames: NodeApi["queryNames"] = () => this.reads.queryNames();
  readonly moduleRoutes: NodeApi["moduleRoutes"] = () => this.reads.moduleRoutes();
  readonly query: NodeApi["query"] = (name, params, caller) =>
    this.reads.query(name, params, caller);
  readonly identityOf: NodeApi["identityOf"] = (keyHex) => this.reads.identityOf(keyHex);

  subscribe(listener: (event: NodeEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  metrics(): Promise<string> {
    return this.metricsRegistry.text();
  }

  get nodeKey(): string {
    return this.nodeKeyHex;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.gossip.stop();
    this.sync.stop();
    this.driver.stop();
    await this.driver.idle();
    await this.api?.close();
    // Before the network: a worker stopping may still gossip what it submitted.
    await this.modules.close();
    await this.network.stop();
    await this.ledger.close();
    this.log.info("node stopped");
  }
}

/** Every member organization, page after page of the ledger's own (unchecked) query. */
async function allOrganizations(ledger: Ledger): Promise<Organization[]> {
  const orgs: Organization[] = [];
  let cursor: string | null = null;
  do {
    const params: Record<string, string> = { limit: String(QUERY_PAGE_ITEMS_MAX) };
    if (cursor !== null) params.cursor = cursor;
    const page = (await ledger.reads.trustedQuery("identity.organizations", params)) as {
      items: Organization[];
      next: string | null;
    };
    orgs.push(...page.items);
    cursor = page.next;
  } while (cursor !== null);
  return orgs;
}
