/**
 * `pnpm bench:recovery`: how long a 4-validator cluster on this machine takes to commit again
 * after its primary is killed, and how fast a replica that was down catches up while the load
 * goes on (against how fast the chain grows meanwhile). Real processes
 * on 127.0.0.1, as the cluster tests run them; figures go to bench/RESULTS.md. Then (issue 18)
 * the time a node whose data directory was wiped takes to join a chain of `--join-txs N`
 * committed transactions (200,000 by default) by block sync and by state sync
 * (recoveryJoin.ts); `--join-only` skips the rest, `--join-txs 0` the join.
 */
import { parseArgs } from "node:util";
import { fromHex, type Signer, toHex } from "@careledger/protocol";
import { devnetAdmin, registerTx, submit } from "../test/harness/clients.js";
import { Cluster, waitFor } from "../test/harness/cluster.js";
import { configureSnapshots, JOIN_SNAPSHOT_INTERVAL, joinComparison } from "./recoveryJoin.js";

const WAIT_MS_MAX = 120_000;
const POLL_MS = 20;
const LAG_TXS = 3_000;
/** Concurrent clients of the load: enough to fill blocks as a busy consortium would. */
const SENDERS = 8;
/** The restarted replica has caught up once within this many heights of the others. */
const SYNC_DONE_LAG = 2;
const ALL = [0, 1, 2, 3];

async function primaryIndex(cluster: Cluster): Promise<number> {
  const statuses = await Promise.all(ALL.map((i) => cluster.waitForHeight(i, 0, WAIT_MS_MAX)));
  return statuses.findIndex((status) => status.node === statuses[0]?.primary);
}

/** Kills the primary and times until another node's height moves. */
async function primaryFailover(cluster: Cluster): Promise<number> {
  const primary = await primaryIndex(cluster);
  const witness = ALL.find((i) => i !== primary) as number;
  const before = (await cluster.status(witness)).height;
  const killedAt = performance.now();
  await cluster.kill(primary);
  await waitFor("a commit after the primary died", WAIT_MS_MAX, async () => {
    await new Promise((done) => setTimeout(done, POLL_MS));
    return (await cluster.status(witness)).height > before + 1 ? true : undefined;
  });
  const elapsed = performance.now() - killedAt;
  cluster.start(primary);
  return elapsed;
}

/**
 * Sends registrations to `urls` from SENDERS concurrent clients until `stop()` says so or
 * `count` were sent; the ids admitted (202) are returned.
 */
async function load(
  urls: readonly string[],
  admin: Signer,
  chain: Uint8Array,
  expires: () => number,
  count: number,
  stop: () => boolean,
): Promise<string[]> {
  const ids: string[] = [];
  let sent = 0;
  const sender = async (index: number) => {
    while (sent < count && !stop()) {
      sent += 1;
      const signed = registerTx(admin, chain, "org-0", expires());
      const answer = await submit(urls[(index + sent) % urls.length] as string, signed);
      if (answer.status === 202) ids.push(toHex(signed.id));
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, (_, index) => sender(index)));
  return ids;
}

interface CatchUp {
  /** Heights and transactions committed while the replica was down. */
  readonly heights: number;
  readonly txs: number;
  /** How fast the chain grew while the replica was down (blocks/s, tx/s). */
  readonly downBlocksPerS: number;
  readonly downTxsPerS: number;
  /** Process start to its API answering. */
  readonly startMs: number;
  /** API answering to within SYNC_DONE_LAG of the others' head, load still running. */
  readonly syncMs: number;
  readonly syncedBlocks: number;
  /** How fast the chain grew meanwhile (blocks/s), under the same load. */
  readonly growthBlocksPerS: number;
}

/**
 * Kills a replica, commits LAG_TXS transactions without it, then restarts it while the same load
 * goes on, and times until it is back within SYNC_DONE_LAG heights of the others.
 */
async function catchUp(cluster: Cluster): Promise<CatchUp> {
  const primary = await primaryIndex(cluster);
  const lagging = ALL.find((i) => i !== primary) as number;
  const others = ALL.filter((i) => i !== lagging);
  const urls = others.map((i) => cluster.url(i));
  await cluster.kill(lagging);
  const start = await cluster.status(others[0] as number);
  const chain = fromHex(start.chain, 32);
  const admin = await devnetAdmin(cluster.home(0));
  let height = start.height;
  // Expiry follows the chain, so no transaction of a long load expires while it waits.
  const expires = () => height + 900;
  const follow = setInterval(() => {
    cluster.status(others[0] as number).then(
      (status) => {
        height = Math.max(height, status.height);
      },
      () => undefined,
    );
  }, 500);
  const downStartedAt = performance.now();
  const ids = await load(urls, admin, chain, expires, LAG_TXS, () => false);
  const last = ids.at(-1) as string;
  // Out of the mempool: committed (or, should the cluster have dropped it, gone).
  await waitFor("the load to commit", WAIT_MS_MAX, async () => {
    const response = await fetch(`${urls[0]}/v1/txs/${last}`);
    const body = (await response.json()) as { status: string };
    return body.status === "pending" ? undefined : true;
  });
  const target = (await cluster.status(others[0] as number)).height;
  const downMs = performance.now() - downStartedAt;
  height = target;
  let caughtUp = false;
  const background = load(urls, admin, chain, expires, Number.MAX_SAFE_INTEGER, () => caughtUp);
  cluster.start(lagging);
  const restartedAt = performance.now();
  const first = await waitFor("the restarted API", WAIT_MS_MAX, () => cluster.status(lagging));
  const apiAt = performance.now();
  const othersAtApi = (await cluster.status(others[0] as number)).height;
  const done = await waitFor("the restarted replica to catch up", WAIT_MS_MAX, async () => {
    await new Promise((pause) => setTimeout(pause, POLL_MS));
    const [mine, theirs] = await Promise.all([
      cluster.status(lagging),
      cluster.status(others[0] as number),
    ]);
    return mine.height >= theirs.height - SYNC_DONE_LAG ? { mine, theirs } : undefined;
  });
  const syncMs = performance.now() - apiAt;
  caughtUp = true;
  await background;
  clearInterval(follow);
  return {
    heights: target - start.height,
    txs: ids.length,
    downBlocksPerS: ((target - start.height) * 1000) / downMs,
    downTxsPerS: (ids.length * 1000) / downMs,
    startMs: apiAt - restartedAt,
    syncMs,
    syncedBlocks: done.mine.height - first.height,
    growthBlocksPerS: ((done.theirs.height - othersAtApi) * 1000) / syncMs,
  };
}

const JOIN_TXS_DEFAULT = 200_000;

function printJoin(figures: Awaited<ReturnType<typeof joinComparison>>): void {
  const { snapshot } = figures;
  console.log(
    `join a chain of ${figures.txs} txs in ${figures.height} blocks (committed in` +
      ` ${figures.loadS.toFixed(0)} s; node-0 data ${(figures.dataBytes / 1e6).toFixed(0)} MB),` +
      ` data directory wiped: block sync ${figures.blockSyncS.toFixed(1)} s,` +
      ` state sync ${figures.stateSyncS.toFixed(1)} s` +
      ` (${(figures.blockSyncS / figures.stateSyncS).toFixed(1)}x faster;` +
      (snapshot === null
        ? " no snapshot restored)"
        : ` snapshot at ${snapshot.height} of ${snapshot.keys} keys in ${snapshot.chunks}` +
          ` chunks, ${(snapshot.ms / 1000).toFixed(1)} s, every ${JOIN_SNAPSHOT_INTERVAL} heights)`),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { "join-txs": { type: "string" }, "join-only": { type: "boolean" } },
  });
  const joinTxs = Number(values["join-txs"] ?? JOIN_TXS_DEFAULT);
  if (!Number.isInteger(joinTxs) || joinTxs < 0) throw new Error("--join-txs: an integer >= 0");
  const cluster = await Cluster.create(4);
  if (joinTxs > 0) await configureSnapshots(cluster);
  const exit = () => process.exit(130);
  const stop = () => {
    cluster.destroy().then(exit, exit);
  };
  process.once("SIGINT", stop);
  try {
    cluster.startAll();
    await Promise.all(ALL.map((i) => cluster.waitForHeight(i, 2, WAIT_MS_MAX)));
    if (values["join-only"] !== true) await failoverAndCatchUp(cluster);
    if (joinTxs > 0) printJoin(await joinComparison(cluster, joinTxs));
  } catch (error) {
    for (const i of ALL) console.error(`--- node-${i} ---\n${cluster.logTail(i, 20)}`);
    throw error;
  } finally {
    await cluster.destroy();
  }
}

async function failoverAndCatchUp(cluster: Cluster): Promise<void> {
  const failovers: number[] = [];
  for (let round = 0; round < 3; round++) {
    failovers.push(await primaryFailover(cluster));
    const height = Math.max(
      ...(await Promise.all(ALL.map((i) => cluster.waitForHeight(i, 0, WAIT_MS_MAX)))).map(
        (s) => s.height,
      ),
    );
    await Promise.all(ALL.map((i) => cluster.waitForHeight(i, height, WAIT_MS_MAX)));
  }
  const lag = await catchUp(cluster);
  const syncS = lag.syncMs / 1000;
  const syncRate = lag.syncedBlocks / syncS;
  console.log(
    `primary killed -> next commit: ${failovers.map((ms) => `${Math.round(ms)} ms`).join(", ")}`,
  );
  console.log(
    `replica down while ${lag.txs} txs committed in ${lag.heights} blocks` +
      ` (${lag.downBlocksPerS.toFixed(1)} blocks/s, ${Math.round(lag.downTxsPerS)} tx/s);` +
      ` restarted under the same load: API up in ${(lag.startMs / 1000).toFixed(1)} s,` +
      ` then ${lag.syncedBlocks} blocks in ${syncS.toFixed(1)} s = ${syncRate.toFixed(1)} blocks/s` +
      ` while the chain grew ${lag.growthBlocksPerS.toFixed(1)} blocks/s` +
      ` (${(syncRate / lag.growthBlocksPerS).toFixed(1)}x)`,
  );
}

await main();
