import { encodeMessage, signMessage } from "@careledger/consensus";
import { CHANNELS, loadHome, Network, nodeCryptoSigner } from "@careledger/node";
import { encode, fromHex, generateSecretKey, toHex } from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { expectAgreement, waitAllAtHeight } from "./harness/agreement.js";
import { Cluster, waitFor } from "./harness/cluster.js";

const WAIT_MS_MAX = 90_000;
const HONEST = [0, 1, 2];

let cluster: Cluster | null = null;
let hostile: Network | null = null;

afterEach(async () => {
  await hostile?.stop();
  hostile = null;
  await cluster?.destroy();
  cluster = null;
});

describe("a connected peer that sends garbage", () => {
  it("cannot stop the others, who keep committing and agree, and the real node rejoins", async () => {
    const c = await Cluster.create(4);
    cluster = c;
    for (const i of HONEST) c.start(i);
    // Node 3's own key, run by the test: a member the gater admits, behaving badly.
    const home = await loadHome(c.home(3));
    hostile = await Network.start({
      nodeSecretKey: home.nodeSecretKey,
      listen: `/ip4/127.0.0.1/tcp/${home.config.p2pPort}`,
      peers: home.config.peers,
      isMember: () => true,
      onMessage: () => undefined,
    });
    const network = hostile;
    await waitFor("the hostile peer to connect", WAIT_MS_MAX, async () =>
      network.connectedPeers === 3 ? true : undefined,
    );
    const start = await waitAllAtHeight(c, HONEST, 1, WAIT_MS_MAX);
    const status = await c.status(0);
    const chain = fromHex(status.chain, 32);
    const signer = nodeCryptoSigner(home.nodeSecretKey);
    const wrongView = encode([1]);
    for (let round = 0; round < 20; round++) {
      network.broadcast("consensus", crypto.getRandomValues(new Uint8Array(200)));
      network.broadcast("txs", crypto.getRandomValues(new Uint8Array(64)));
      network.broadcast("sync", encode({ kind: "request", from: -1, count: 1_000_000 }));
      network.broadcast("consensus", wrongView);
      // Validly signed, but for a far-future height and view: dropped, never trusted.
      const future = signMessage(chain, signer, {
        kind: "prepare",
        height: status.height + 10_000,
        view: 999,
        hash: crypto.getRandomValues(new Uint8Array(32)),
      });
      const bytes = encodeMessage(future);
      network.broadcast("consensus", bytes);
      network.broadcast("consensus", bytes);
      // A signature by a key that is not node 3's, under node 3's name.
      const forged = signMessage(chain, nodeCryptoSigner(generateSecretKey()), {
        kind: "commit",
        height: status.height + 1,
        view: status.view,
        hash: crypto.getRandomValues(new Uint8Array(32)),
      });
      network.broadcast("consensus", encodeMessage({ ...forged, from: signer.publicKey }));
    }
    // An oversized frame on the transaction channel.
    network.broadcast("txs", new Uint8Array(CHANNELS.txs.messageBytesMax + 1));
    const target = start + 5;
    const reached = await waitAllAtHeight(c, HONEST, target, WAIT_MS_MAX);
    await expectAgreement(c, HONEST, reached);
    const metrics = await (await fetch(`${c.url(0)}/metrics`)).text();
    expect(metrics).toMatch(/careledger_p2p_invalid_messages_total\{channel="consensus"\} [1-9]/);
    await network.stop();
    hostile = null;
    c.start(3);
    await c.waitForHeight(3, reached, WAIT_MS_MAX);
    await expectAgreement(c, [0, 1, 2, 3], reached);
    expect(toHex(signer.publicKey)).toBe((await c.status(3)).node);
  });
});
