/**
 * `pnpm bench:recovery`: how long a 4-validator cluster on this machine takes to commit again
 * after its primary is killed, and how fast a replica that was down catches up. Real processes
 * on 127.0.0.1, as the cluster tests run them; figures go to bench/RESULTS.md.
 */
import { fromHex, toHex } from "@careledger/protocol";
import { devnetAdmin, registerTx, submit } from "../test/harness/clients.js";
import { Cluster, waitFor } from "../test/harness/cluster.js";

const WAIT_MS_MAX = 120_000;
const POLL_MS = 20;
const LAG_TXS = 3_000;
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

/** Kills a replica, commits LAG_TXS transactions without it, restarts it and times its catch-up. */
async function catchUp(
  cluster: Cluster,
): Promise<{ heights: number; txs: number; ms: number; chainMs: number }> {
  const primary = await primaryIndex(cluster);
  const lagging = ALL.find((i) => i !== primary) as number;
  const others = ALL.filter((i) => i !== lagging);
  await cluster.kill(lagging);
  const start = await cluster.status(others[0] as number);
  const chain = fromHex(start.chain, 32);
  const admin = await devnetAdmin(cluster.home(0));
  const ids: string[] = [];
  const loadStartedAt = performance.now();
  for (let i = 0; i < LAG_TXS; i++) {
    const signed = registerTx(admin, chain, "org-0", start.height + 900);
    const answer = await submit(cluster.url(others[i % others.length] as number), signed);
    if (answer.status === 202) ids.push(toHex(signed.id));
  }
  const last = ids.at(-1) as string;
  const target = await waitFor("the load to commit", WAIT_MS_MAX, async () => {
    const response = await fetch(`${cluster.url(others[0] as number)}/v1/txs/${last}`);
    const body = (await response.json()) as { status: string; height?: number };
    return body.status === "committed" ? (body.height as number) : undefined;
  });
  const chainMs = performance.now() - loadStartedAt;
  cluster.start(lagging);
  const restartedAt = performance.now();
  await cluster.waitForHeight(lagging, target, WAIT_MS_MAX);
  return {
    heights: target - start.height,
    txs: ids.length,
    ms: performance.now() - restartedAt,
    chainMs,
  };
}

async function main(): Promise<void> {
  const cluster = await Cluster.create(4);
  const exit = () => process.exit(130);
  const stop = () => {
    cluster.destroy().then(exit, exit);
  };
  process.once("SIGINT", stop);
  try {
    cluster.startAll();
    await Promise.all(ALL.map((i) => cluster.waitForHeight(i, 2, WAIT_MS_MAX)));
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
    const seconds = lag.ms / 1000;
    console.log(
      `primary killed -> next commit: ${failovers.map((ms) => `${Math.round(ms)} ms`).join(", ")}`,
    );
    console.log(
      `catch-up of a restarted replica (from process start): ${lag.heights} blocks, ${lag.txs} txs in ${seconds.toFixed(1)} s` +
        ` = ${(lag.heights / seconds).toFixed(1)} blocks/s, ${Math.round(lag.txs / seconds)} tx/s;` +
        ` the chain made them at ${((lag.heights * 1000) / lag.chainMs).toFixed(1)} blocks/s`,
    );
  } catch (error) {
    for (const i of ALL) console.error(`--- node-${i} ---\n${cluster.logTail(i, 20)}`);
    throw error;
  } finally {
    await cluster.destroy();
  }
}

await main();
