import "./polyfill.js";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import type { Libp2p, PeerId, Stream } from "@libp2p/interface";
import { tcp } from "@libp2p/tcp";
import { type LengthPrefixedStream, lpStream } from "@libp2p/utils";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import { CHANNELS, type ChannelName } from "./channels.js";
import { membershipGater } from "./gater.js";
import { libp2pKeyOf, nodeKeyOfPeer, peerIdOfNodeKey } from "./identity.js";
import { PeerScores } from "./peerScores.js";
import { Redialer } from "./redialer.js";

export interface PeerAddress {
  /** The peer's node key, lowercase hex. */
  readonly nodeKey: string;
  /** A multiaddr without /p2p, e.g. /ip4/127.0.0.1/tcp/26656. */
  readonly address: string;
}

export interface NetworkInit {
  readonly nodeSecretKey: Uint8Array;
  readonly listen: string;
  /** The address peers dial, told them by identify (the listen address on 0.0.0.0 is not). */
  readonly announce?: string;
  readonly peers: readonly PeerAddress[];
  readonly isMember: (nodeKeyHex: string) => boolean;
  readonly onMessage: (channel: ChannelName, fromNodeKey: string, bytes: Uint8Array) => void;
  readonly onPeerChange?: (connectedCount: number) => void;
  readonly log?: (event: string, fields: Record<string, unknown>) => void;
}

export interface NetworkCounters {
  messagesIn: number;
  messagesOut: number;
  dropped: number;
  /** Dials attempted to configured peers (connected or not). */
  dials: number;
}

interface OutboundLink {
  queue: Uint8Array[];
  queuedBytes: number;
  stream: LengthPrefixedStream<Stream> | null;
  pumping: boolean;
}

/**
 * The libp2p host: TCP, Noise, yamux, admission of members only, one long-lived outbound stream
 * per peer and channel, bounded queues, and redial with backoff. It decodes nothing: it hands
 * framed bytes to `onMessage`, and whoever decodes them reports garbage back with `misbehaved`.
 */
export class Network {
  readonly counters: NetworkCounters = { messagesIn: 0, messagesOut: 0, dropped: 0, dials: 0 };
  private readonly links = new Map<string, OutboundLink>();
  private readonly redialer: Redialer;
  /**
   * Node keys of the connected peers, kept from libp2p's connect and disconnect events: asking
   * libp2p (`getPeers`, then the key of each peer id) on every broadcast took about 2% of a
   * validator's busy time at 40 blocks/s (pnpm bench --rate 200 --profile 1).
   */
  private readonly connected = new Set<string>();
  private readonly configured: readonly string[];

  private constructor(
    private readonly libp2p: Libp2p,
    private readonly init: NetworkInit,
    private readonly scores: PeerScores,
  ) {
    this.configured = init.peers.map((peer) => peer.nodeKey);
    this.redialer = new Redialer(
      (address) => {
        this.counters.dials += 1;
        return this.libp2p.dial(address).then(() => undefined);
      },
      init.peers.map((peer) => this.fullAddress(peer)),
    );
  }

  static async start(init: NetworkInit): Promise<Network> {
    const scores = new PeerScores();
    const isAdmitted = (key: string) => init.isMember(key) && !scores.isBanned(key);
    const libp2p = await createLibp2p({
      privateKey: await libp2pKeyOf(init.nodeSecretKey),
      addresses: {
        listen: [init.listen],
        ...(init.announce !== undefined && { announce: [init.announce] }),
      },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: membershipGater(isAdmitted),
      // A consortium is small and fixed: members may reconnect fast after a restart, and our own
      // liveness (view changes, redial) replaces libp2p's ping monitor, which drops peers of a
      // node under full CPU load (STACK.md).
      connectionManager: { inboundConnectionThreshold: 1_000, maxIncomingPendingConnections: 64 },
      connectionMonitor: { enabled: false },
    });
    const network = new Network(libp2p, init, scores);
    // libp2p listens already: connection events are followed from here on, and peers that
    // connected before (while the handlers were being registered) are read once below.
    libp2p.addEventListener("peer:connect", (event) => {
      const key = nodeKeyOfPeer(event.detail);
      if (key !== null) network.connected.add(key);
      network.reportPeers();
      if (key !== null) network.resumeLinks(key);
    });
    libp2p.addEventListener("peer:disconnect", (event) => {
      const key = nodeKeyOfPeer(event.detail);
      if (key !== null) network.connected.delete(key);
      network.reportPeers();
      if (key !== null) network.forgetLinks(key);
      network.redialer.wake();
    });
    for (const name of Object.keys(CHANNELS) as ChannelName[]) {
      await libp2p.handle(CHANNELS[name].protocol, (stream, connection) => {
        network.readInbound(name, stream, connection.remotePeer);
      });
    }
    for (const peer of libp2p.getPeers()) {
      const key = nodeKeyOfPeer(peer);
      if (key !== null) network.connected.add(key);
    }
    network.reportPeers();
    network.redialer.start();
    return network;
  }

  get connectedPeers(): number {
    return this.connected.size;
  }

  listenAddresses(): Multiaddr[] {
    return this.libp2p.getMultiaddrs();
  }

  /** Queues a message for one peer; drops it (counted) when that peer's queue is full. */
  send(channel: ChannelName, toNodeKey: string, bytes: Uint8Array): void {
    const id = `${channel}/${toNodeKey}`;
    let link = this.links.get(id);
    if (link === undefined) {
      link = { queue: [], queuedBytes: 0, stream: null, pumping: false };
      this.links.set(id, link);
    }
    // Bounded in bytes as well as in count: 4,096 consensus messages of up to 64 MiB each
    // would be no bound at all.
    const spec = CHANNELS[channel];
    if (
      link.queue.length >= spec.queueMessagesMax ||
      link.queuedBytes + bytes.byteLength > spec.queueBytesMax
    ) {
      this.counters.dropped += 1;
      return;
    }
    link.queue.push(bytes);
    link.queuedBytes += bytes.byteLength;
    if (!link.pumping) this.startPump(channel, toNodeKey, link);
  }

  /**
   * To every configured peer and every other member connected: a node that joined by governance
   * is in nobody's config, and reaches the others by dialing them.
   */
  broadcast(channel: ChannelName, bytes: Uint8Array): void {
    for (const key of this.configured) this.send(channel, key, bytes);
    for (const key of this.connected) {
      if (!this.configured.includes(key)) this.send(channel, key, bytes);
    }
  }

  /**
   * The membership changed: hangs up on every connected peer that is no longer a member (the
   * gater refuses its redials). Returns the keys hung up on.
   */
  dropNonMembers(): string[] {
    const gone = [...this.connected].filter((key) => !this.init.isMember(key));
    for (const key of gone) {
      this.init.log?.("peer no longer a member", { peer: key });
      this.libp2p.hangUp(peerIdOfNodeKey(Buffer.from(key, "hex"))).catch(() => undefined);
    }
    return gone;
  }

  /** A peer sent something undecodable or invalid: score it, and hang up on a repeat offender. */
  misbehaved(nodeKey: string, reason: string): void {
    this.init.log?.("peer misbehaved", { peer: nodeKey, reason });
    if (this.scores.penalize(nodeKey)) {
      // A peer that is already gone makes hangUp reject: nothing left to do then.
      this.libp2p.hangUp(peerIdOfNodeKey(Buffer.from(nodeKey, "hex"))).catch((error: unknown) => {
        this.init.log?.("hang-up failed", { peer: nodeKey, reason: String(error) });
      });
    }
  }

  async stop(): Promise<void> {
    this.redialer.stop();
    await this.libp2p.stop();
  }

  /** pump() catches what its stream throws; a rejection left would be a bug, logged. */
  private startPump(channel: ChannelName, toNodeKey: string, link: OutboundLink): void {
    this.pump(channel, toNodeKey, link).catch((error: unknown) => {
      this.init.log?.("send failed", { peer: toNodeKey, reason: String(error) });
    });
  }

  private async pump(channel: ChannelName, toNodeKey: string, link: OutboundLink): Promise<void> {
    link.pumping = true;
    try {
      while (link.queue.length > 0) {
        if (link.stream === null) link.stream = await this.openStream(channel, toNodeKey);
        const batch = link.queue.splice(0, link.queue.length);
        link.queuedBytes = 0;
        // One write of many frames: encryption and framing cost per write, not per message.
        await link.stream.writeV(batch);
        this.counters.messagesOut += batch.length;
      }
    } catch {
      // Not connected (yet) or the stream broke: the queue waits, within its bound, for the
      // peer to connect, so a node that starts a little after its peers still gets the first
      // proposals. A batch that was being written is lost; consensus tolerates that.
      link.stream = null;
    } finally {
      link.pumping = false;
    }
  }

  private async openStream(channel: ChannelName, toNodeKey: string) {
    const spec = CHANNELS[channel];
    const peer = peerIdOfNodeKey(Buffer.from(toNodeKey, "hex"));
    const stream = await this.libp2p.dialProtocol(peer, spec.protocol);
    return lpStream(stream, {
      maxDataLength: spec.messageBytesMax,
      maxBufferSize: spec.messageBytesMax + 16,
    });
  }

  private readInbound(channel: ChannelName, stream: Stream, remote: PeerId): void {
    const key = nodeKeyOfPeer(remote);
    if (key === null) {
      stream.abort(new Error("peer without an Ed25519 key"));
      return;
    }
    const spec = CHANNELS[channel];
    const framed = lpStream(stream, {
      maxDataLength: spec.messageBytesMax,
      maxBufferSize: spec.messageBytesMax + 16,
    });
    this.readFrames(channel, key, stream, framed).catch((error: unknown) => {
      this.init.log?.("inbound stream failed", { peer: key, reason: String(error) });
    });
  }

  private async readFrames(
    channel: ChannelName,
    key: string,
    stream: Stream,
    framed: ReturnType<typeof lpStream>,
  ): Promise<void> {
    try {
      for (;;) {
        const message = await framed.read();
        this.counters.messagesIn += 1;
        this.init.onMessage(channel, key, message.subarray());
      }
    } catch (error) {
      // End of stream is normal; an oversized frame is misbehaviour.
      if (error instanceof Error && /length|too long|buffer/i.test(error.message)) {
        this.misbehaved(key, `oversized frame on ${channel}`);
      }
      stream.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** A peer (re)connected: send what waited for it. */
  private resumeLinks(nodeKey: string): void {
    for (const name of Object.keys(CHANNELS) as ChannelName[]) {
      const link = this.links.get(`${name}/${nodeKey}`);
      if (link !== undefined && !link.pumping && link.queue.length > 0)
        this.startPump(name, nodeKey, link);
    }
  }

  private forgetLinks(nodeKey: string): void {
    for (const name of Object.keys(CHANNELS)) {
      const link = this.links.get(`${name}/${nodeKey}`);
      if (link !== undefined) link.stream = null;
    }
  }

  private reportPeers(): void {
    this.init.onPeerChange?.(this.connectedPeers);
  }

  private fullAddress(peer: PeerAddress): Multiaddr {
    const id = peerIdOfNodeKey(Buffer.from(peer.nodeKey, "hex"));
    return multiaddr(`${peer.address}/p2p/${id.toString()}`);
  }
}
