/**
 * The join part of `pnpm bench:recovery`: a 4-validator cluster commits `txs` transactions,
 * then one node's data directory is wiped and it joins again, once by block sync (replaying
 * every block from genesis) and once by state sync (a certified snapshot, then the blocks
 * above it); each is timed from the process start to within JOIN_LAG heights of the others.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { NodeConfig } from "@careledger/node";
import { fromHex, type Signer } from "@careledger/protocol";
import { devnetAdmin, registerTx } from "../test/harness/clients.js";
import { type Cluster, waitFor } from "../test/harness/cluster.js";

const JOINER = 3;
const SOURCES = [0, 1, 2];
const BATCH_TXS = 500;
/** Batches out at once: enough to keep the mempools fed without filling them. */
const SENDERS = 6;
const JOIN_LAG = 2;
const POLL_MS = 200;
const BACKOFF_MS = 200;
/** A long chain's joins: bounds, not expectations. */
const JOIN_MS_MAX = 3_600_000;
const LOAD_MS_MAX = 3_600_000;
/** Snapshots every this many heights on every node (the default's order, as a devnet runs). */
export const JOIN_SNAPSHOT_INTERVAL = 100;

export interface JoinFigures {
  readonly txs: number;
  readonly height: number;
  readonly loadS: number;
  readonly blockSyncS: number;
  readonly stateSyncS: number;
  /** From the state-sync node's log: the snapshot it restored. */
  readonly snapshot: { height: number; keys: number; chunks: number; ms: number } | null;
  readonly dataBytes: number;
}

async function editConfig(c: Cluster, index: number, edit: (config: NodeConfig) => NodeConfig) {
  const file = join(c.home(index), "config.json");
  await writeFile(file, JSON.stringify(edit(JSON.parse(await readFile(file, "utf8")))));
}

/** Every node keeps snapshots; the joiner state-syncs only when `stateSync` says so. */
export async function configureSnapshots(c: Cluster): Promise<void> {
  for (let i = 0; i < c.size; i++) {
    await editConfig(c, i, (config) => ({
      ...config,
      stateSync: { snapshotIntervalHeights: JOIN_SNAPSHOT_INTERVAL },
    }));
  }
}

/** Closed-loop batches of registrations until `count` were admitted; returns the last id. */
async function commitTxs(c: Cluster, count: number): Promise<void> {
  const admins: Signer[] = await Promise.all(SOURCES.map((i) => devnetAdmin(c.home(i))));
  const chain = fromHex((await c.status(0)).chain, 32);
  let admitted = 0;
  let height = (await c.status(0)).height;
  let turn = 0;
  const sender = async () => {
    while (admitted < count) {
      const node = SOURCES[turn++ % SOURCES.length] as number;
      const org = node;
      const txs = Array.from({ length: BATCH_TXS }, () =>
        registerTx(admins[org] as Signer, chain, `org-${org}`, height + 900),
      );
      const response = await fetch(`${c.url(node)}/v1/txs/batch`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ txs: txs.map((s) => Buffer.from(s.bytes).toString("base64")) }),
      }).catch(() => null);
      const body = (await response?.json().catch(() => null)) as {
        results?: { id?: string }[];
      } | null;
      const ok = body?.results?.filter((result) => result.id !== undefined).length ?? 0;
      admitted += ok;
      height = Math.max(height, (await c.status(node)).height);
      // A full mempool answers with errors: let the chain drain it before sending more.
      if (ok < BATCH_TXS) await new Promise((pause) => setTimeout(pause, BACKOFF_MS));
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  await waitFor("the mempools to drain", LOAD_MS_MAX, async () => {
    await new Promise((pause) => setTimeout(pause, POLL_MS));
    const text = await (await fetch(`${c.url(0)}/metrics`)).text();
    const line = text.split("\n").find((row) => row.startsWith("careledger_mempool_txs "));
    return Number(line?.split(" ")[1]) === 0 ? true : undefined;
  });
}

/** Wipes the joiner's data, starts it, and times until it is at the others' head. */
async function timedJoin(c: Cluster, stateSync: boolean): Promise<number> {
  await c.kill(JOINER);
  await rm(join(c.home(JOINER), "data"), { recursive: true, force: true });
  await editConfig(c, JOINER, (config) => ({
    ...config,
    stateSync: { enabled: stateSync, snapshotIntervalHeights: JOIN_SNAPSHOT_INTERVAL },
  }));
  const startedAt = performance.now();
  c.start(JOINER);
  await waitFor(`the ${stateSync ? "state" : "block"}-sync join`, JOIN_MS_MAX, async () => {
    await new Promise((pause) => setTimeout(pause, POLL_MS));
    const [mine, theirs] = await Promise.all([c.status(JOINER), c.status(0)]);
    return mine.height >= theirs.height - JOIN_LAG ? true : undefined;
  });
  return (performance.now() - startedAt) / 1000;
}

async function directoryBytes(dir: string): Promise<number> {
  const { readdir, stat } = await import("node:fs/promises");
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

/** Commits `txs` transactions, then times a block-sync join and a state-sync join. */
export async function joinComparison(c: Cluster, txs: number): Promise<JoinFigures> {
  const loadStartedAt = performance.now();
  await commitTxs(c, txs);
  const loadS = (performance.now() - loadStartedAt) / 1000;
  const { height } = await c.status(0);
  const dataBytes = await directoryBytes(join(c.home(0), "data"));
  const blockSyncS = await timedJoin(c, false);
  const logStart = c.logs.get(JOINER)?.length ?? 0;
  const stateSyncS = await timedJoin(c, true);
  const restored = (c.logs.get(JOINER) ?? [])
    .slice(logStart)
    .find((line) => line.includes("state sync restored a snapshot"));
  const snapshot =
    restored === undefined ? null : (JSON.parse(restored) as JoinFigures["snapshot"]);
  return { txs, height, loadS, blockSyncS, stateSyncS, snapshot, dataBytes };
}
