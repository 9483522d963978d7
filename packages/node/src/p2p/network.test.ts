import { generateSecretKey, publicKeyOf, toHex } from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { CHANNELS, type ChannelName } from "./channels.js";
import { Network } from "./network.js";

const WAIT_MS_MAX = 10_000;

interface Received {
  channel: ChannelName;
  from: string;
  bytes: Uint8Array;
}

function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS_MAX;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

const started: Network[] = [];

async function startNode(
  secret: Uint8Array,
  members: Set<string>,
  peers: { nodeKey: string; address: string }[],
) {
  const received: Received[] = [];
  const network = await Network.start({
    nodeSecretKey: secret,
    listen: "/ip4/127.0.0.1/tcp/0",
    peers,
    isMember: (key) => members.has(key),
    onMessage: (channel, from, bytes) => received.push({ channel, from, bytes }),
  });
  started.push(network);
  const address = network.listenAddresses()[0]?.decapsulate("/p2p").toString() ?? "";
  return { network, received, key: toHex(publicKeyOf(secret)), address };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((network) => network.stop()));
});

describe("Network", () => {
  it("delivers framed messages between members on each channel, in order", async () => {
    const secretA = generateSecretKey();
    const secretB = generateSecretKey();
    const members = new Set([toHex(publicKeyOf(secretA)), toHex(publicKeyOf(secretB))]);
    const a = await startNode(secretA, members, []);
    const b = await startNode(secretB, members, [{ nodeKey: a.key, address: a.address }]);
    await waitFor(() => a.network.connectedPeers === 1, "connection");
    for (let i = 0; i < 100; i++) b.network.send("consensus", a.key, Uint8Array.of(i));
    a.network.send("txs", b.key, Uint8Array.of(7, 7));
    await waitFor(() => a.received.length === 100 && b.received.length === 1, "messages");
    expect(a.received.map((m) => m.bytes[0])).toEqual([...Array(100).keys()]);
    expect(a.received.every((m) => m.from === b.key && m.channel === "consensus")).toBe(true);
    expect(b.received[0]).toMatchObject({ channel: "txs", from: a.key });
  });

  it("refuses a peer whose node key is not a member", async () => {
    const secretA = generateSecretKey();
    const outsider = generateSecretKey();
    const a = await startNode(secretA, new Set([toHex(publicKeyOf(secretA))]), []);
    const members = new Set([a.key, toHex(publicKeyOf(outsider))]);
    const o = await startNode(outsider, members, [{ nodeKey: a.key, address: a.address }]);
    o.network.send("consensus", a.key, Uint8Array.of(1));
    await waitFor(() => o.network.counters.dials >= 3, "the outsider to dial three times");
    expect(a.network.connectedPeers).toBe(0);
    expect(a.received).toHaveLength(0);
  });

  it("bounds a peer's queue in bytes: a message that would pass the bound is dropped and counted", async () => {
    const secret = generateSecretKey();
    const absent = toHex(publicKeyOf(generateSecretKey()));
    const a = await startNode(secret, new Set([toHex(publicKeyOf(secret)), absent]), []);
    const frame = new Uint8Array(CHANNELS.txs.messageBytesMax);
    const fits = CHANNELS.txs.queueBytesMax / frame.byteLength;
    // The peer never connects: everything waits in its queue, within the bound.
    for (let i = 0; i < fits; i++) a.network.send("txs", absent, frame);
    expect(a.network.counters.dropped).toBe(0);
    a.network.send("txs", absent, Uint8Array.of(1));
    expect(a.network.counters.dropped).toBe(1);
  });
});
