import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { NodeConfig } from "@careledger/node";
import { describe, expect, it } from "vitest";
import { waitAllAtHeight } from "./harness/agreement.js";
import { Cluster, waitFor } from "./harness/cluster.js";
import { tearDownAfterEach } from "./harness/lifecycle.js";
import { LoadGenerator } from "./harness/load.js";

const ALL = [0, 1, 2, 3];
const WIPED = 3;
const START_MS_MAX = 90_000;
/** The chain the wiped node joins: some hundreds of heights, snapshots every 50. */
const CHAIN_HEIGHTS = 300;
const SNAPSHOT_INTERVAL = 50;
/** Empty blocks this often, so hundreds of heights pass in a minute or two. */
const EMPTY_BLOCK_MS = 100;
const CHAIN_MS_MAX = 300_000;
/** From the restart until the wiped node is within a few heights of the others. */
const JOIN_MS_MAX = 120_000;
const JOIN_LAG = 3;
const CERTIFICATES_SCANNED = 10;
/** Heights the wiped node follows after joining, while it must not vote. */
const FOLLOWED_HEIGHTS = 20;

const held = tearDownAfterEach(ALL.length);

async function editConfig(c: Cluster, index: number, edit: (config: NodeConfig) => NodeConfig) {
  const file = join(c.home(index), "config.json");
  const config = JSON.parse(await readFile(file, "utf8")) as NodeConfig;
  await writeFile(file, JSON.stringify(edit(config)));
}

async function json<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

async function metric(c: Cluster, index: number, name: string): Promise<number> {
  const text = await (await fetch(`${c.url(index)}/metrics`)).text();
  const line = text.split("\n").find((row) => row.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.split(" ")[1]);
}

describe("state sync: a node whose data directory was wiped joins a long chain", () => {
  it("restores a certified snapshot, block-syncs the rest, agrees and votes again, never replaying from genesis", async () => {
    const c = await Cluster.create(ALL.length, { emptyBlockIntervalMs: EMPTY_BLOCK_MS });
    held.cluster = c;
    for (const i of ALL) {
      await editConfig(c, i, (config) => ({
        ...config,
        stateSync: { snapshotIntervalHeights: SNAPSHOT_INTERVAL },
      }));
    }
    c.startAll();
    await waitAllAtHeight(c, ALL, 1, START_MS_MAX);
    const load = await LoadGenerator.start(c, {
      ratePerSecond: 100,
      batch: 20,
      nodes: () => ALL.filter((i) => i !== WIPED),
    });
    held.load = load;
    await waitAllAtHeight(c, ALL, CHAIN_HEIGHTS, CHAIN_MS_MAX);

    await c.kill(WIPED);
    await rm(join(c.home(WIPED), "data"), { recursive: true, force: true });
    await editConfig(c, WIPED, (config) => ({
      ...config,
      stateSync: { enabled: true, snapshotIntervalHeights: SNAPSHOT_INTERVAL },
    }));
    const logStart = c.logs.get(WIPED)?.length ?? 0;
    c.start(WIPED);

    const joined = await waitFor("the wiped node to reach the head", JOIN_MS_MAX, async () => {
      const [mine, theirs] = await Promise.all([c.status(WIPED), c.status(0)]).catch(() => []);
      if (mine === undefined || theirs === undefined) return undefined;
      return mine.height >= CHAIN_HEIGHTS && mine.height >= theirs.height - JOIN_LAG
        ? mine
        : undefined;
    });
    // Its own execution reached the state root the others certified at that height.
    const { body: block } = await json<{ header: { stateRoot: string }; hash: string }>(
      `${c.url(0)}/v1/blocks/${joined.height}`,
    );
    expect(joined.stateRoot).toBe(block.header.stateRoot);
    expect(joined.headHash).toBe(block.hash);

    // It did not replay from genesis: it holds no block 1, restored a snapshot at a checkpoint
    // height of the long chain, and said so.
    const snapshotHeight = await metric(c, WIPED, "careledger_state_sync_height");
    expect(snapshotHeight % SNAPSHOT_INTERVAL).toBe(0);
    expect(snapshotHeight).toBeGreaterThanOrEqual(CHAIN_HEIGHTS - 2 * SNAPSHOT_INTERVAL);
    expect((await fetch(`${c.url(WIPED)}/v1/blocks/1`)).status).toBe(404);
    const log = (c.logs.get(WIPED) ?? []).slice(logStart).join("\n");
    expect(log).toContain("state sync restored a snapshot");
    expect(log).not.toContain("no snapshot restored");

    // The double-signing guard: with its consensus log gone it may have voted at heights and
    // views it no longer knows, so it follows without voting (consensus amnesia.ts) while the
    // chain stays in the view it joined in. A node counts its own vote as soon as it casts it:
    // its own certificates would name it.
    const index = joined.validators.indexOf(joined.node);
    /** The highest height in (from, its head] whose certificate on the wiped node names it. */
    const votedAbove = async (from: number, scannedMax = Number.POSITIVE_INFINITY) => {
      const top = (await c.status(WIPED)).height;
      for (let height = top; height > Math.max(from, top - scannedMax); height--) {
        const { body } = await json<{ certificate: { votes: { validator: number }[] } }>(
          `${c.url(WIPED)}/v1/blocks/${height}`,
        );
        if (body.certificate.votes.some((vote) => vote.validator === index)) return height;
      }
      return undefined;
    };
    const followed = await c.waitForHeight(WIPED, joined.height + FOLLOWED_HEIGHTS, JOIN_MS_MAX);
    if (followed.view === joined.view) expect(await votedAbove(joined.height)).toBeUndefined();

    // A view change ends the wait: the primary is killed, the others leave its view, and it is
    // restarted (with its log) so a quorum installs the next view; the wiped node votes again.
    const keys = await Promise.all(ALL.map(async (i) => (await c.status(i)).node));
    const primary = keys.indexOf(followed.primary);
    // Following without proposing, it cannot be the primary the chain is moving in.
    expect(primary).not.toBe(WIPED);
    const witness = ALL.find((i) => i !== primary && i !== WIPED) as number;
    await c.kill(primary);
    await waitFor("the others to leave the dead primary's view", JOIN_MS_MAX, async () =>
      (await c.status(witness)).view > followed.view ? true : undefined,
    );
    c.start(primary);
    const backAt = (await c.status(WIPED)).height;
    await waitFor("the wiped node's vote in a certificate", JOIN_MS_MAX, () =>
      votedAbove(backAt, CERTIFICATES_SCANNED),
    );
    await load.stop();
    held.load = null;
  }, 600_000);
});
