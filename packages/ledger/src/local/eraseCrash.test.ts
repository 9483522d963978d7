import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../testing/tempDir.js";
import type { ErasePhase } from "./erasure.js";
import { filesHolding, secretValue } from "./fileScan.testkit.js";
import { LocalStore } from "./localStore.js";

const WORKER = fileURLToPath(new URL("./eraseCrashWorker.ts", import.meta.url));
/** Bound on the child: start under tsx, 6 MB of filler, one erasure. */
const CHILD_MS_MAX = 60_000;

/** Runs the worker until it kills itself; resolves with the signal that ended it. */
function crashAt(dir: string, phase: string, value: Uint8Array): Promise<string | null> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=source",
      WORKER,
      dir,
      phase,
      Buffer.from(value).toString("hex"),
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`worker did not crash within ${CHILD_MS_MAX} ms`));
    }, CHILD_MS_MAX);
    child.once("exit", (_code, signal) => {
      clearTimeout(timer);
      resolve(signal);
    });
  });
}

/** Opens the store, noting the erasure phases that opening runs (a resumed erasure). */
async function openNoting(dir: string): Promise<{ store: LocalStore; phases: ErasePhase[] }> {
  const phases: ErasePhase[] = [];
  const store = await LocalStore.open(dir, { onErasePhase: (phase) => phases.push(phase) });
  return { store, phases };
}

describe("an erasure survives a crash", () => {
  it.each([
    ["after its deletions, before the compactions", "deleted", true],
    ["after its compactions, before it resolved", "compacted", false],
    ["after it resolved, without closing", "done", false],
  ])(
    "killed %s: reopened, the key is absent and its bytes are gone",
    async (_when, phase, resumed) => {
      const { dir, remove } = tempDir("erase-crash");
      try {
        const { value, needles } = secretValue(randomBytes(32));
        expect(await crashAt(dir, phase, value)).toBe("SIGKILL");
        if (phase === "deleted") {
          // The control: killed mid-erasure, the bytes are still in the files.
          expect((await filesHolding(dir, needles)).length).toBeGreaterThan(0);
        }
        const first = await openNoting(dir);
        expect(first.phases).toEqual(
          resumed || phase === "compacted" ? ["flushed", "deleted", "compacted"] : [],
        );
        expect(await first.store.space("records").get("patient-7/key")).toBeUndefined();
        expect(await first.store.space("telemetry").scan({ limit: 2 })).toHaveLength(2);
        await first.store.close();
        expect(await filesHolding(dir, needles)).toEqual([]);
        // Finished: nothing is left to resume.
        const second = await openNoting(dir);
        expect(second.phases).toEqual([]);
        await second.store.close();
      } finally {
        remove();
      }
    },
  );
});
