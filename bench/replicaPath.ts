/**
 * `pnpm bench:replica` (issue 17): the CPU one committed transaction costs a replica, phase by
 * phase, in milliseconds of this process's CPU time (`process.cpuUsage`), not of the clock: on a
 * machine shared with other work the clock counts their time too, the CPU time only ours.
 *
 * A primary's ledger builds blocks of identity registrations signed by the organizations' admins
 * (the cluster benchmark's mix); a replica's ledger, with the node's own mempool (libsodium
 * verifier), admits the same transactions from gossip messages, decodes the primary's
 * pre-prepare (reusing what its mempool decoded), executes the block and commits it. The
 * primary's costs are given apart. Networking, HTTP and consensus votes are not in it: the
 * cluster benchmark's profile has those.
 */
import { decodeMessage, encodeMessage } from "../packages/consensus/src/index.js";
import { Ledger } from "../packages/ledger/src/index.js";
import { fakeCertificate, seededKey, testChain } from "../packages/ledger/src/testing/fixtures.js";
import { nodeVerifier } from "../packages/ledger/src/testing/nodeCrypto.js";
import { tempDir } from "../packages/ledger/src/testing/tempDir.js";
import { decodeGossip, encodeGossip } from "../packages/node/src/gossip.js";
import { ledgerMempool } from "../packages/node/src/ledgerMempool.js";
import { type SignedTx, signTx, TX_TTL_MAX } from "../packages/protocol/src/index.js";

const BLOCK_TXS = Number(process.env.BENCH_BLOCK_TXS ?? 1_000);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 20);
/** Blocks run before measuring, so the JIT and the caches are warm. */
const WARMUP_BLOCKS = 3;
const GOSSIP_BATCH = 256;
/** As the node's admission queue: this many admissions at once. */
const ADMISSION_SLICE = 64;
const ORGANIZATIONS = 4;

const PHASES = [
  "replica: gossip decode + admit",
  "replica: pre-prepare decode",
  "replica: execute",
  "replica: commit",
  "primary: build",
  "primary: pre-prepare encode",
  "primary: commit",
  "serving: read back committed blocks",
] as const;
type Phase = (typeof PHASES)[number];

const cpuMicros = new Map<Phase, number>(PHASES.map((phase) => [phase, 0]));
let measuring = false;

async function timed<T>(phase: Phase, work: () => Promise<T> | T): Promise<T> {
  const start = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(start);
  if (measuring) cpuMicros.set(phase, (cpuMicros.get(phase) ?? 0) + used.user + used.system);
  return result;
}

async function main(): Promise<void> {
  const chain = testChain(ORGANIZATIONS, 100, 4);
  const primaryDir = tempDir("bench-primary");
  const replicaDir = tempDir("bench-replica");
  const options = { verifier: nodeVerifier() };
  const primary = await Ledger.open(primaryDir.dir, chain.genesis, options);
  const replica = await Ledger.open(replicaDir.dir, chain.genesis, options);
  const mempool = ledgerMempool(
    replica,
    { mempoolTxsMax: 50_000, mempoolBytesMax: 64 * 1024 * 1024 },
    () => false,
  );
  const proposer = chain.orgs[0]?.node.publicKey as Uint8Array;
  let nonce = 0;
  for (let block = 0; block < WARMUP_BLOCKS + BLOCKS; block++) {
    measuring = block >= WARMUP_BLOCKS;
    const height = replica.head.height + 1;
    const txs: SignedTx[] = [];
    for (let i = 0; i < BLOCK_TXS; i++) {
      const org = chain.orgs[i % ORGANIZATIONS] as (typeof chain.orgs)[number];
      const nonceBytes = new Uint8Array(8);
      new DataView(nonceBytes.buffer).setUint32(4, ++nonce);
      const payload = { key: seededKey("bench-key", nonce), org: org.id, roles: ["clinician"] };
      const body = { v: 1 as const, chain: replica.chainId, nonce: nonceBytes, payload };
      txs.push(
        signTx({ ...body, type: "identity.register", expires: height + TX_TTL_MAX }, org.admin),
      );
    }
    const gossip: Uint8Array[] = [];
    for (let at = 0; at < txs.length; at += GOSSIP_BATCH) {
      gossip.push(encodeGossip(txs.slice(at, at + GOSSIP_BATCH).map((signed) => signed.bytes)));
    }
    await timed("replica: gossip decode + admit", async () => {
      for (const message of gossip) {
        const items = decodeGossip(message);
        for (let at = 0; at < items.length; at += ADMISSION_SLICE) {
          await Promise.all(items.slice(at, at + ADMISSION_SLICE).map((tx) => mempool.admit(tx)));
        }
      }
    });
    const time = primary.head.time + 1_000;
    const built = await timed("primary: build", () =>
      primary.buildBlock({ height, view: 0, proposer, time, txs }, { isVerified: () => true }),
    );
    if (built.block.txs.length !== BLOCK_TXS) throw new Error("the benchmark built an invalid tx");
    const wire = await timed("primary: pre-prepare encode", () =>
      encodeMessage({
        kind: "preprepare",
        from: proposer,
        sig: new Uint8Array(64),
        height,
        view: 0,
        hash: built.result.hash,
        block: built.block,
      }),
    );
    const certificate = fakeCertificate(height, built.result.hash);
    await timed("primary: commit", () => primary.commit(built.block, certificate, built.result));
    const message = await timed("replica: pre-prepare decode", () =>
      decodeMessage(wire, (id) => mempool.get(id)),
    );
    if (message.kind !== "preprepare") throw new Error("not a pre-prepare");
    const result = await timed("replica: execute", () =>
      replica.executeBlock(message.block, { isVerified: (id) => mempool.isVerified(id) }),
    );
    await timed("replica: commit", async () => {
      await replica.commit(message.block, certificate, result);
      mempool.onCommitted(height, [...result.txIds]);
    });
  }
  const measured = replica.head.height - BLOCKS;
  await timed("serving: read back committed blocks", async () => {
    for (let height = measured + 1; height <= replica.head.height; height++) {
      if ((await replica.reads.block(height)) === null) throw new Error(`no block ${height}`);
    }
  });
  const perTx = (phase: Phase) => (cpuMicros.get(phase) ?? 0) / 1_000 / (BLOCKS * BLOCK_TXS);
  const rows = PHASES.map((phase) => ({ phase, msPerTx: perTx(phase) }));
  const replicaMs = rows
    .filter((row) => row.phase.startsWith("replica"))
    .reduce((a, r) => a + r.msPerTx, 0);
  const primaryMs = rows
    .filter((row) => row.phase.startsWith("primary"))
    .reduce((a, r) => a + r.msPerTx, 0);
  console.log(
    `CPU per transaction, ${BLOCKS} blocks of ${BLOCK_TXS} (after ${WARMUP_BLOCKS} warm-up)`,
  );
  console.log("| phase | CPU ms per tx |\n|---|---:|");
  for (const row of rows) console.log(`| ${row.phase} | ${row.msPerTx.toFixed(4)} |`);
  console.log(`| replica, all | ${replicaMs.toFixed(4)} |`);
  console.log(`| primary, all but admission | ${primaryMs.toFixed(4)} |`);
  console.log(JSON.stringify({ blockTxs: BLOCK_TXS, blocks: BLOCKS, replicaMs, primaryMs, rows }));
  if (mempool.size !== 0) throw new Error(`${mempool.size} transactions left in the mempool`);
  await primary.close();
  await replica.close();
  primaryDir.remove();
  replicaDir.remove();
}

await main();
