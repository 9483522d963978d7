import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { toHex } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { Ledger } from "./ledger.js";
import { CRASH_TEST_CHAIN, prng } from "./testing/fixtures.js";
import { nodeVerifier } from "./testing/nodeCrypto.js";
import { commitRandomBlock } from "./testing/randomBlocks.js";
import { tempDir } from "./testing/tempDir.js";

const SEED = Number(process.env.LEDGER_TEST_SEED ?? 4242);
const KILLS = 20;
const BLOCK_TXS = 30;
/** Longest random delay before a kill, after the child reports a commit. */
const KILL_DELAY_MS_MAX = 30;
const WORKER = fileURLToPath(new URL("./testing/crashWorker.ts", import.meta.url));
/**
 * Bound on the whole test: about 30 s on a quiet 2-core machine (most of it starting the 20
 * children under tsx), but over 60 s when the machine runs other suites at load 15 or more.
 */
const CRASH_TEST_MS_MAX = 120_000;
/** Bound on waiting for the child to report or exit. */
const CHILD_WAIT_MS_MAX = 20_000;

function startWorker(dir: string): ChildProcess {
  return spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=source", WORKER, dir, String(SEED), String(BLOCK_TXS)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
}

/** Resolves after the child has reported `commits` commits; rejects if it exits first. */
function waitForCommits(child: ChildProcess, commits: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let buffer = "";
    const timer = setTimeout(() => reject(new Error("child reported nothing")), CHILD_WAIT_MS_MAX);
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        const [word, height] = line.split(" ");
        if (word === "committed" && ++seen === commits) {
          clearTimeout(timer);
          resolve(Number(height));
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
  });
}

function killAfter(child: ChildProcess, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    setTimeout(() => child.kill("SIGKILL"), delayMs);
  });
}

/** Compares every index of `ledger` with the reference replay, up to the head. */
async function checkIndexes(ledger: Ledger, reference: Ledger): Promise<void> {
  for (let height = 0; height <= ledger.head.height; height++) {
    const stored = await ledger.reads.block(height);
    const expected = await reference.reads.block(height);
    if (!stored || !expected) throw new Error(`block ${height} missing`);
    expect(toHex(stored.block.header.stateRoot)).toBe(toHex(expected.block.header.stateRoot));
    const byHash = await ledger.reads.blockByHash(ledger.head.hash);
    expect(byHash?.block.header.height).toBe(ledger.head.height);
    expect(stored.certificate?.height ?? 0).toBe(height);
    const receipts = await reference.reads.receipts(height);
    for (const [index, signed] of stored.block.txs.entries()) {
      const found = await ledger.reads.tx(signed.id);
      expect(found).toMatchObject({ height, index, receipt: receipts?.[index] });
    }
  }
  expect(await ledger.reads.block(ledger.head.height + 1)).toBeNull();
}

describe(`crash safety (seed ${SEED}, LEDGER_TEST_SEED replays)`, () => {
  it(
    `survives ${KILLS} SIGKILLs at random moments with head, state and indexes intact`,
    async () => {
      const random = prng(SEED);
      const target = tempDir("crash");
      const replay = tempDir("replay");
      const reference = await Ledger.open(replay.dir, CRASH_TEST_CHAIN.genesis, {
        verifier: nodeVerifier(),
      });
      try {
        let lastReported = 0;
        for (let kill = 0; kill < KILLS; kill++) {
          const child = startWorker(target.dir);
          lastReported = await waitForCommits(child, 1 + Math.floor(random() * 3));
          await killAfter(child, Math.floor(random() * KILL_DELAY_MS_MAX));
          const ledger = await Ledger.open(target.dir, CRASH_TEST_CHAIN.genesis, {
            verifier: nodeVerifier(),
          });
          try {
            // Every reported commit survived; what was not reported is all or nothing.
            expect(ledger.head.height).toBeGreaterThanOrEqual(lastReported);
            while (reference.head.height < ledger.head.height) {
              await commitRandomBlock(reference, CRASH_TEST_CHAIN, SEED, BLOCK_TXS);
            }
            expect(toHex(ledger.head.hash)).toBe(toHex(reference.head.hash));
            expect(toHex(ledger.head.stateRoot)).toBe(toHex(reference.head.stateRoot));
            const log = await ledger.consensusLog.entries("vote/");
            expect(log.length).toBeGreaterThanOrEqual(ledger.head.height);
            if (kill === KILLS - 1) await checkIndexes(ledger, reference);
          } finally {
            await ledger.close();
          }
        }
      } finally {
        await reference.close();
        target.remove();
        replay.remove();
      }
    },
    CRASH_TEST_MS_MAX,
  );
});
