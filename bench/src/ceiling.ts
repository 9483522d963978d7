import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { Level } from "level";

/** How long each ceiling measurement runs. */
export const CEILING_MS = 2_000;
const LEVEL_BATCH_ENTRIES = 1_000;
const LEVEL_VALUE_BYTES = 300;
const MESSAGE_BYTES = 300;

/**
 * Verifies one signature in a loop for `ms` through libsodium, the node's verifier
 * (packages/node/src/verifier.ts). Plain JavaScript run with `eval`, so the worker needs no
 * TypeScript loader; the binding's path is resolved here and handed over.
 */
const VERIFY_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const sodium = require(workerData.sodiumPath);
const publicKey = Buffer.from(workerData.publicKey);
const message = Buffer.from(workerData.message);
const signature = Buffer.from(workerData.signature);
const end = performance.now() + workerData.ms;
let count = 0;
while (performance.now() < end) {
  for (let i = 0; i < 50; i++) {
    if (sodium.crypto_sign_verify_detached(signature, message, publicKey)) count++;
  }
}
parentPort.postMessage(count);
`;

/** Ed25519 verifications per second with one worker per core, all running at once. */
export async function verificationsPerSecond(
  ms = CEILING_MS,
): Promise<{ perS: number; cores: number }> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const message = new Uint8Array(MESSAGE_BYTES).fill(7);
  const workerData = {
    sodiumPath: createRequire(import.meta.url).resolve("sodium-native"),
    publicKey: Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url"),
    message,
    signature: new Uint8Array(sign(null, message, privateKey)),
    ms,
  };
  const cores = availableParallelism();
  const counts = await Promise.all(
    Array.from(
      { length: cores },
      () =>
        new Promise<number>((done, fail) => {
          const worker = new Worker(VERIFY_WORKER, { eval: true, workerData });
          worker.once("message", (count: number) => {
            done(count);
            worker.terminate().catch(fail);
          });
          worker.once("error", fail);
        }),
    ),
  );
  const total = counts.reduce((sum, count) => sum + count, 0);
  return { perS: Math.round(total / (ms / 1000)), cores };
}

/** LevelDB entries written per second in batches of 1,000 x 300-byte values (sync off). */
export async function levelEntriesPerSecond(ms = CEILING_MS): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "careledger-bench-level-"));
  const db = new Level<string, Uint8Array>(dir, { valueEncoding: "view" });
  try {
    await db.open();
    const value = new Uint8Array(LEVEL_VALUE_BYTES).fill(1);
    const start = performance.now();
    let entries = 0;
    while (performance.now() - start < ms) {
      const batch = db.batch();
      for (let i = 0; i < LEVEL_BATCH_ENTRIES; i++) {
        batch.put(`k${(entries + i).toString(16).padStart(12, "0")}`, value);
      }
      await batch.write();
      entries += LEVEL_BATCH_ENTRIES;
    }
    return Math.round(entries / ((performance.now() - start) / 1000));
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
