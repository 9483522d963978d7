/**
 * The SDK's own costs, measured in one process:
 *   npx tsx --conditions=source packages/sdk/bench/measure.ts
 * The HTTP figures run against the test kit's fake node in the same process, whose admission
 * verifies each signature with noble: they bound the client's overhead, not a real node's speed.
 */
import { encode, keySigner, merkleProof, sha256 } from "@careledger/protocol";
import { certifiedBlock, TestStateTree, testChain } from "../src/chain.testkit.js";
import { FakeNode } from "../src/fakeNode.testkit.js";
import {
  buildTx,
  CareLedgerClient,
  generateKeyPair,
  SseParser,
  verifyBlock,
  verifyStateInclusion,
  verifyTxInclusion,
} from "../src/index.js";

const BUILDS = 2_000;
const BLOCK_CHECKS = 300;
const PROOF_CHECKS = 20_000;
const STATE_KEYS = 1_000;
const BLOCK_TXS = 5_000;
const SSE_EVENTS = 100_000;
const SSE_CHUNK_CHARS = 4_096;
const SEQUENTIAL_SUBMITS = 500;
const BATCH_SUBMITS = 1_500;
const WAITS = 51;

function rate(label: string, count: number, run: (index: number) => void): void {
  const start = performance.now();
  for (let i = 0; i < count; i++) run(i);
  report(label, count, performance.now() - start);
}

function report(label: string, count: number, ms: number): void {
  console.log(
    `${label}: ${Math.round((count / ms) * 1000)}/s (${(ms / count).toFixed(3)} ms each)`,
  );
}

const signer = keySigner(generateKeyPair().secretKey);
const payload = { key: generateKeyPair().publicKey, org: "org-0", roles: ["clinician" as const] };
const chainId = sha256(Uint8Array.of(1));
rate("buildTx identity.register (check, sign, encode, id)", BUILDS, () =>
  buildTx("identity.register", payload, signer, { chainId, expires: 10 }),
);

const chain = testChain(4);
const tree = new TestStateTree();
for (let i = 0; i < STATE_KEYS; i++) tree.set(`identity/${i}`, encode({ n: i }));
const ids = Array.from({ length: BLOCK_TXS }, (_, i) => sha256(encode(i)));
const block = certifiedBlock(chain, {
  height: 5,
  prevHash: new Uint8Array(32),
  txIds: ids,
  stateRoot: tree.root(),
});
const trust = { chainId: chain.chainId, validators: chain.validators };
rate("verifyBlock, 4 validators (3 noble signature checks)", BLOCK_CHECKS, () =>
  verifyBlock(block, trust),
);
const stateProof = tree.prove("identity/7");
const value = encode({ n: 7 });
rate(
  `verifyStateInclusion (${STATE_KEYS} keys, ${stateProof.siblings.length} siblings)`,
  PROOF_CHECKS,
  () => verifyStateInclusion(block.header, "identity/7", value, stateProof),
);
const txProof = merkleProof(ids, 1234);
const txId = ids[1234] as Uint8Array;
rate(`verifyTxInclusion (${BLOCK_TXS}-tx block)`, PROOF_CHECKS, () =>
  verifyTxInclusion(block.header, txId, txProof),
);

const receipt = { id: "ab".repeat(32), height: 1, index: 0, receipt: { ok: true } };
const line = `id: 1\nevent: tx\ndata: ${JSON.stringify(receipt)}\n\n`;
const stream = line.repeat(SSE_EVENTS);
let parsed = 0;
const parser = new SseParser(() => parsed++, 1 << 20);
const parseStart = performance.now();
for (let i = 0; i < stream.length; i += SSE_CHUNK_CHARS) {
  parser.push(stream.slice(i, i + SSE_CHUNK_CHARS));
}
report(`SSE parse (${line.length}-char events)`, parsed, performance.now() - parseStart);

const node = await FakeNode.start();
node.pendingPolls = 0;
const client = new CareLedgerClient(node.url);
const build = () =>
  buildTx("identity.register", payload, signer, { chainId: node.chain.chainId, expires: 100 });
const sequential = Array.from({ length: SEQUENTIAL_SUBMITS }, build);
let start = performance.now();
for (const tx of sequential) await client.submit(tx);
report("submit, one at a time (fake node)", SEQUENTIAL_SUBMITS, performance.now() - start);
const batch = Array.from({ length: BATCH_SUBMITS }, build);
start = performance.now();
await client.submitBatch(batch);
report("submitBatch (fake node)", BATCH_SUBMITS, performance.now() - start);
const waits: number[] = [];
for (let i = 0; i < WAITS; i++) {
  const tx = build();
  const begin = performance.now();
  await client.submitAndWait(tx);
  waits.push(performance.now() - begin);
}
waits.sort((a, b) => a - b);
const median = waits[Math.floor(WAITS / 2)] ?? 0;
console.log(
  `submitAndWait against a node that commits on the first poll: median ${median.toFixed(1)} ms`,
);
await node.close();
