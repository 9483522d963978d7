/**
 * `pnpm bench:micro`: operations per second of the protocol's hot paths on one core: canonical
 * encode and decode of a realistic signed transaction, sealing and decoding it, SHA-256,
 * Ed25519 sign and verify (noble against node:crypto) and Merkle roots. Each measurement warms
 * up first, then runs for about a second in rounds, of which it reports the fastest.
 */
import { createPublicKey, hash as nodeHash, verify as nodeVerify } from "node:crypto";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { sodiumVerifier } from "../packages/node/src/verifier.js";
import {
  type Canonical,
  decode,
  decodeOwnTx,
  decodeTx,
  encode,
  keySigner,
  merkleRoot,
  nobleVerifier,
  type SignedTx,
  sealTx,
  sha256,
  signTx,
  txSigningBytes,
  verifySignedTx,
  verifyTx,
} from "../packages/protocol/src/index.js";
import { sealedSigningBytes } from "../packages/protocol/src/sealedSigning.js";

const WARMUP_MS = 300;
const MEASURE_MS = 1_000;
/**
 * A measurement is split into rounds and the best round is kept: on a shared machine, other
 * processes only ever slow a round down, so the fastest is the closest to the code's own cost.
 */
const ROUNDS = 4;
/** Calls between clock reads, so reading the clock costs little against fast operations. */
const BATCH_CALLS_MAX = 1_024;

interface Row {
  readonly name: string;
  readonly opsPerSecond: number;
}

/** Runs `operation` in batches until `durationMs` passed; returns calls per second. */
function run(operation: () => unknown, durationMs: number): number {
  let calls = 0;
  let batch = 1;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < batch; i++) sink = operation();
    calls += batch;
    elapsed = performance.now() - start;
    if (batch < BATCH_CALLS_MAX) batch *= 2;
  }
  return (calls * 1_000) / elapsed;
}

// Results land here so the JIT cannot drop an operation whose result is unused.
let sink: unknown;

function measure(name: string, operation: () => unknown): Row {
  run(operation, WARMUP_MS);
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    best = Math.max(best, run(operation, MEASURE_MS / ROUNDS));
  }
  return { name, opsPerSecond: best };
}

/** A claim submission of about 300 bytes, signed: the typical transaction of the workload. */
function realisticTx(): SignedTx {
  const signer = keySigner(new Uint8Array(32).fill(11));
  return signTx(
    {
      v: 1,
      chain: sha256(new TextEncoder().encode("careledger-bench")),
      type: "claim.submit",
      nonce: Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2),
      expires: 1_200,
      payload: {
        claimId: "clm-2026-000184467",
        provider: "st-mary",
        amount: 1_245_000,
        currency: "EUR",
        serviceDate: 1_763_596_800_000,
        codes: ["99213", "85025"],
      },
    },
    signer,
  );
}

// msgpackr without the canonical layer, resolved as the protocol package resolves it: the cost
// of canonical encoding (key sorting, range checks) is the difference between the two rows.
type PackrConstructor = new (
  options: Record<string, unknown>,
) => { pack(value: unknown): Uint8Array };
const msgpackr: Record<string, unknown> = createRequire(
  import.meta.resolve("../packages/protocol/package.json"),
)("msgpackr");
const Packr = msgpackr.Packr as PackrConstructor;
const plainPackr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

function main(): void {
  const signed = realisticTx();
  const tx = signed.tx as unknown as Canonical;
  const signingBytes = txSigningBytes(signed.tx);
  const { from, sig } = signed.tx;
  const signer = keySigner(new Uint8Array(32).fill(11));
  const data300 = signed.bytes.subarray(0, 300);
  const leaves = (count: number) =>
    Array.from({ length: count }, (_, i) => sha256(Uint8Array.of(i, i >> 8)));
  const leaves1k = leaves(1_000);
  const leaves10k = leaves(10_000);
  if (!sodiumVerifier.verify(from, signingBytes, sig)) {
    throw new Error("libsodium refuses the benchmark's own signature");
  }
  const openSslKey = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(from).toString("base64url") },
    format: "jwk",
  });
  const openSslVerify = () => nodeVerify(null, signingBytes, openSslKey, sig);

  console.log(
    `transaction: ${signed.bytes.byteLength} bytes encoded, ${signingBytes.byteLength} signed`,
  );
  const rows: Row[] = [
    measure("encode (canonical) signed tx", () => encode(tx)),
    measure("msgpackr pack, no canonical layer", () => plainPackr.pack(tx)),
    measure("decode (canonical, re-encodes) signed tx", () => decode(signed.bytes)),
    measure("sealTx (schema + encode + id)", () => sealTx(signed.tx)),
    measure("decodeTx (decode + schema + id)", () => decodeTx(signed.bytes)),
    measure("decodeOwnTx (stored bytes: no scan, re-encode, hash)", () =>
      decodeOwnTx(signed.bytes, signed.id),
    ),
    measure("sha256 300 B, protocol (crypto.hash in Node)", () => sha256(data300)),
    measure("sha256 300 B, node:crypto hash", () => nodeHash("sha256", data300, "buffer")),
    measure("ed25519 sign, noble", () => signer.sign(signingBytes)),
    measure("ed25519 verify, noble", () => nobleVerifier.verify(from, signingBytes, sig)),
    measure("ed25519 verify, node:crypto (OpenSSL, key object reused)", openSslVerify),
    measure("ed25519 verify, libsodium (the node's verifier)", () =>
      sodiumVerifier.verify(from, signingBytes, sig),
    ),
    measure("verifyTx (signing bytes + verify), libsodium", () =>
      verifyTx(signed.tx, sodiumVerifier),
    ),
    measure("txSigningBytes (encodes the transaction again)", () => txSigningBytes(signed.tx)),
    measure("sealedSigningBytes (cut from the sealed bytes)", () => sealedSigningBytes(signed)),
    measure("verifySignedTx (cut signing bytes + verify), libsodium", () =>
      verifySignedTx(signed, sodiumVerifier),
    ),
    measure("merkle root, 1,000 leaves", () => merkleRoot(leaves1k)),
    measure("merkle root, 10,000 leaves", () => merkleRoot(leaves10k)),
  ];
  printTable(rows);
  const ratio = pairedRatio(() => sodiumVerifier.verify(from, signingBytes, sig), openSslVerify);
  console.log(
    `\nlibsodium verify / node:crypto verify, median of ${RATIO_PAIRS} back-to-back pairs: ${ratio.toFixed(1)}x`,
  );
  if (sink === undefined) console.log("(no result)");
}

const RATIO_PAIRS = 7;
const RATIO_ROUND_MS = 200;

/**
 * The speed ratio of two operations measured in alternating short rounds, so that load from
 * other processes falls on both alike; the median of the pairs' ratios.
 */
function pairedRatio(numerator: () => unknown, denominator: () => unknown): number {
  const ratios: number[] = [];
  for (let pair = 0; pair < RATIO_PAIRS; pair++) {
    ratios.push(run(numerator, RATIO_ROUND_MS) / run(denominator, RATIO_ROUND_MS));
  }
  ratios.sort((a, b) => a - b);
  return ratios[Math.floor(RATIO_PAIRS / 2)] ?? Number.NaN;
}

function printTable(rows: readonly Row[]): void {
  const width = Math.max(...rows.map((row) => row.name.length));
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}\n`);
  console.log(
    `| ${"operation".padEnd(width)} | ${"ops/s".padStart(11)} | ${"us/op".padStart(8)} |`,
  );
  console.log(`|${"-".repeat(width + 2)}|${"-".repeat(13)}|${"-".repeat(10)}|`);
  for (const { name, opsPerSecond } of rows) {
    const ops = Math.round(opsPerSecond).toLocaleString("en-US").padStart(11);
    const micros = (1e6 / opsPerSecond).toFixed(2).padStart(8);
    console.log(`| ${name.padEnd(width)} | ${ops} | ${micros} |`);
  }
}

main();
