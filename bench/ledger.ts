/**
 * `pnpm bench:ledger`: execution plus commit throughput of the ledger, signature checks
 * excluded (the mempool verified them; `isVerified` says so), for blocks of 1,000 and 5,000
 * transactions of a realistic mix: mostly identity registrations, some revocations, governance
 * proposals and votes. Every transaction is signed before the clock starts. Size on disk is
 * measured after the run and extrapolated to a million transactions.
 * `BENCH_ACCESS_CONSENTS=100000` runs only issue 13's access.log figure (accessLog.ts);
 * `BENCH_CLAIMS_MEMBERS=100000` only issue 14's claim.submit figure (claimSubmit.ts);
 * `BENCH_PROVENANCE_PACKS=100000` only issue 15's provenance figures (provenance.ts).
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Ledger } from "../packages/ledger/src/index.js";
import { keyHashOf } from "../packages/ledger/src/smt/hashing.js";
import { loadPaths } from "../packages/ledger/src/smt/load.js";
import { EMPTY_SUBTREE, type Subtree, type TreeNode } from "../packages/ledger/src/smt/node.js";
import {
  applyUpdates,
  compareKeyHashes,
  type LeafUpdate,
} from "../packages/ledger/src/smt/update.js";
import {
  fakeCertificate,
  GENESIS_TIME,
  prng,
  seededKey,
  type TestChain,
  testChain,
} from "../packages/ledger/src/testing/fixtures.js";
import { nodeVerifier } from "../packages/ledger/src/testing/nodeCrypto.js";
import { tempDir } from "../packages/ledger/src/testing/tempDir.js";
import { type SignedTx, type Signer, signTx, TX_TTL_MAX } from "../packages/protocol/src/index.js";
import { accessLogRun } from "./accessLog.js";
import { claimSubmitRun } from "./claimSubmit.js";
import { provenanceRun } from "./provenance.js";

const RUNS = [
  { blockTxs: 1_000, blocks: 30 },
  { blockTxs: 5_000, blocks: 12 },
] as const;
/** Blocks run before timing starts, so caches and the JIT are warm. */
const WARMUP_BLOCKS = 2;
const ORGANIZATIONS = 8;
/** Approvals that pass a proposal among 8 organizations (more than two thirds). */
const VOTES_TO_PASS = 6;
const DAY_MS = 24 * 3600 * 1000;

function blockTxs(
  chain: TestChain,
  chainId: Uint8Array,
  height: number,
  count: number,
): SignedTx[] {
  const random = prng(height);
  const txs: SignedTx[] = [];
  const proposals: string[] = [];
  const sign = (type: string, payload: Parameters<typeof signTx>[0]["payload"], by: Signer) => {
    const nonce = new Uint8Array(8).map(() => Math.floor(random() * 256));
    const signed = signTx(
      { v: 1, chain: chainId, type, nonce, expires: height + TX_TTL_MAX, payload },
      by,
    );
    txs.push(signed);
    return signed;
  };
  const registered: Array<{ key: Uint8Array; org: number }> = [];
  const votesCast = new Map<string, number>();
  const orgAt = (index: number) =>
    chain.orgs[index % chain.orgs.length] as TestChain["orgs"][number];
  for (let i = 0; i < count; i++) {
    const roll = random();
    const open = proposals.filter((id) => (votesCast.get(id) ?? 0) < VOTES_TO_PASS);
    if (roll < 0.9 || registered.length === 0) {
      // Registered keys need no secret here: only the org admins sign.
      const key = seededKey(`bench-${height}`, i);
      const org = i % chain.orgs.length;
      registered.push({ key, org });
      sign("identity.register", { key, org: orgAt(org).id, roles: ["patient"] }, orgAt(org).admin);
    } else if (roll < 0.95) {
      const [target] = registered.splice(Math.floor(random() * registered.length), 1);
      if (!target) throw new Error("nothing to revoke");
      sign("identity.revoke", { key: target.key }, orgAt(target.org).admin);
    } else if (roll < 0.97 || open.length === 0) {
      const org = orgAt(i);
      const change = { kind: "param.set", name: "emptyBlockIntervalMs", value: 1000 + i };
      const signed = sign(
        "gov.propose",
        { org: org.id, change, expiresAt: GENESIS_TIME + 7 * DAY_MS },
        org.admin,
      );
      proposals.push(Buffer.from(signed.id).toString("hex"));
    } else {
      const proposal = open[Math.floor(random() * open.length)] as string;
      const voter = orgAt(votesCast.get(proposal) ?? 0);
      votesCast.set(proposal, (votesCast.get(proposal) ?? 0) + 1);
      sign("gov.vote", { proposal, org: voter.id, approve: true }, voter.admin);
    }
  }
  return txs;
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) total += statSync(join(dir, name)).size;
  return total;
}

async function run(blockTxCount: number, blocks: number): Promise<void> {
  const chain = testChain(ORGANIZATIONS, 100, 4);
  const { dir, remove } = tempDir("bench");
  const ledger = await Ledger.open(dir, chain.genesis, { verifier: nodeVerifier() });
  const signStart = performance.now();
  const prepared = Array.from({ length: blocks }, (_, index) =>
    blockTxs(chain, ledger.chainId, index + 1, blockTxCount),
  );
  const signMs = performance.now() - signStart;
  const verified = () => true;
  let timedMs = 0;
  let cpuMicros = 0;
  let executeMs = 0;
  let timedTxs = 0;
  const failures = new Map<string, number>();
  for (const [index, txs] of prepared.entries()) {
    const height = ledger.head.height + 1;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const built = await ledger.buildBlock(
      {
        height,
        view: 0,
        proposer: chain.orgs[0]?.node.publicKey as Uint8Array,
        time: ledger.head.time + 1000,
        txs,
      },
      { isVerified: verified },
    );
    const executed = performance.now();
    await ledger.commit(built.block, fakeCertificate(height, built.result.hash), built.result);
    const end = performance.now();
    const cpu = process.cpuUsage(cpuStart);
    if (built.block.txs.length !== txs.length) throw new Error("the benchmark built an invalid tx");
    for (const receipt of built.result.receipts) {
      if (receipt.status === "failed")
        failures.set(receipt.code, (failures.get(receipt.code) ?? 0) + 1);
    }
    if (index >= WARMUP_BLOCKS) {
      timedMs += end - start;
      executeMs += executed - start;
      timedTxs += txs.length;
      cpuMicros += cpu.user + cpu.system;
    }
  }
  await ledger.close();
  const bytes = directoryBytes(dir);
  remove();
  const totalTxs = blocks * blockTxCount;
  const txPerSecond = Math.round((timedTxs / timedMs) * 1000);
  console.log(
    [
      `blocks of ${blockTxCount} txs x ${blocks} (${WARMUP_BLOCKS} warm-up), ${totalTxs} txs`,
      `  signing (untimed): ${Math.round((totalTxs / signMs) * 1000)} tx/s`,
      `  execution + commit: ${txPerSecond} tx/s (${(timedMs / (blocks - WARMUP_BLOCKS)).toFixed(1)} ms a block; execution ${Math.round((executeMs / timedMs) * 100)}%, commit ${Math.round(((timedMs - executeMs) / timedMs) * 100)}%)`,
      `  per CPU-second of this process (all its threads; less sensitive to a busy machine): ${Math.round((timedTxs / cpuMicros) * 1e6)} tx/s`,
      `  failed receipts: ${JSON.stringify(Object.fromEntries(failures))}`,
      `  on disk: ${(bytes / 1e6).toFixed(1)} MB, ${(((bytes / totalTxs) * 1e6) / 1e9).toFixed(2)} GB per million txs (extrapolated linearly from this run)`,
    ].join("\n"),
  );
}

/**
 * The state tree alone, in memory (no LevelDB): batches of 5,000 updates into a tree of
 * `keys` keys, the figure to set against the Merkle Patricia trie's in STACK.md.
 */
async function treeAlone(keys: number): Promise<void> {
  const nodes = new Map<string, TreeNode>();
  let root: Subtree = EMPTY_SUBTREE;
  const apply = async (batch: LeafUpdate[]) => {
    batch.sort(compareKeyHashes);
    const loaded = await loadPaths(root.kind, batch, async (paths) =>
      paths.map((path) => nodes.get(path) ?? null),
    );
    const writes = new Map<string, TreeNode | null>();
    root = applyUpdates(root, batch, (path) => loaded.get(path), writes);
    for (const [path, node] of writes) {
      if (node === null) nodes.delete(path);
      else nodes.set(path, node);
    }
  };
  const update = (index: number, round: number): LeafUpdate => ({
    keyHash: keyHashOf(`key/${index}`),
    valueHash: keyHashOf(`value/${index}/${round}`),
  });
  const batchSize = 5_000;
  for (let start = 0; start < keys; start += batchSize) {
    await apply(Array.from({ length: batchSize }, (_, i) => update(start + i, 0)));
  }
  const rounds = 10;
  const random = prng(keys);
  const batches = Array.from({ length: rounds }, (_, round) =>
    Array.from({ length: batchSize }, () => update(Math.floor(random() * keys * 1.1), round + 1)),
  );
  const unique = batches.map((batch) => [
    ...new Map(batch.map((u) => [Buffer.from(u.keyHash).toString("hex"), u])).values(),
  ]);
  const updates = unique.reduce((sum, batch) => sum + batch.length, 0);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (const batch of unique) await apply(batch);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `state tree alone, in memory: ${keys} keys, batches of ${batchSize}: ${Math.round(updates / (ms / 1000))} updates/s (${(ms / rounds).toFixed(1)} ms a batch); ${Math.round(updates / cpuSeconds)} per CPU-second`,
  );
}

if (process.env.BENCH_ACCESS_CONSENTS !== undefined) {
  await accessLogRun(Number(process.env.BENCH_ACCESS_CONSENTS));
  process.exit(0);
}

if (process.env.BENCH_CLAIMS_MEMBERS !== undefined) {
  await claimSubmitRun(Number(process.env.BENCH_CLAIMS_MEMBERS));
  process.exit(0);
}

if (process.env.BENCH_PROVENANCE_PACKS !== undefined) {
  await provenanceRun(Number(process.env.BENCH_PROVENANCE_PACKS));
  process.exit(0);
}

if (process.env.BENCH_TREE_KEYS !== undefined) {
  await treeAlone(Number(process.env.BENCH_TREE_KEYS));
  process.exit(0);
}

const only = process.env.BENCH_BLOCK_TXS;
for (const { blockTxs: count, blocks } of RUNS) {
  if (only === undefined || Number(only) === count) await run(count, blocks);
}
