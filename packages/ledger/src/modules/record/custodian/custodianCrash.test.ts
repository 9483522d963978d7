import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { filesHolding } from "../../../local/fileScan.testkit.js";
import { LocalStore } from "../../../local/localStore.js";
import { tempDir } from "../../../testing/tempDir.js";
import {
  holds,
  needlesOf,
  type StoredVersion,
  storedVersion,
  TEST_BINDING,
} from "./contentKeys.testkit.js";
import { ContentStore } from "./contentStore.js";
import { crashContent } from "./crashContent.testkit.js";

const WORKER = fileURLToPath(new URL("./custodianCrash.testkit.ts", import.meta.url));
/** Bound on the child: start under tsx, then uploads or erasures. */
const CHILD_MS_MAX = 60_000;
/** Uploads the parent waits to see before it kills the uploading child. */
const UPLOADS_BEFORE_KILL = 60;

/**
 * Runs the worker; `onLine` sees each line it prints and may kill it. Resolves with the lines
 * and the signal that ended it.
 */
function run(
  args: readonly string[],
  onLine: (line: string, kill: () => void) => void = () => {},
): Promise<{ lines: string[]; signal: string | null }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=source", WORKER, ...args],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines: string[] = [];
  let partial = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      onLine(line, () => child.kill("SIGKILL"));
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`worker did not end within ${CHILD_MS_MAX} ms`));
    }, CHILD_MS_MAX);
    child.once("close", (_code, signal) => {
      clearTimeout(timer);
      resolve({ lines, signal });
    });
  });
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("the content store survives SIGKILL", () => {
  it("during uploads: every upload that answered opens, and no key is left without its blob", async () => {
    const { dir, remove } = tempDir("custodian-upload-crash");
    const kek = randomBytes(32);
    let seen = 0;
    try {
      const { lines, signal } = await run(["upload", dir, hex(kek)], (_line, kill) => {
        if (++seen === UPLOADS_BEFORE_KILL) kill();
      });
      expect(signal).toBe("SIGKILL");
      expect(lines.length).toBeGreaterThanOrEqual(UPLOADS_BEFORE_KILL);
      const store = await LocalStore.open(dir);
      const space = store.space("record");
      const content = new ContentStore(space, kek);
      for (const line of lines) {
        const [index, hash] = line.split(" ") as [string, string];
        expect(await content.open(hash, TEST_BINDING)).toEqual(crashContent(Number(index)));
      }
      const keys = (await space.scan({ prefix: "v/" })).map(([key]) => key);
      for (const key of keys.filter((stored) => stored.endsWith("/key"))) {
        expect(keys).toContain(key.replace(/key$/, "blob"));
      }
      await store.close();
    } finally {
      remove();
    }
  });

  it.each([
    ["after its deletions", "deleted"],
    ["after its compactions, before it resolved", "compacted"],
  ])(
    "in the middle of an erasure, killed %s: nothing erased comes back and the rest opens",
    async (_when, phase) => {
      const { dir, remove } = tempDir("custodian-erase-crash");
      const kek = randomBytes(32);
      try {
        let store = await LocalStore.open(dir);
        let content = new ContentStore(store.space("record"), kek);
        const hashes: string[] = [];
        for (let index = 0; index < 5; index++)
          hashes.push(await content.put(crashContent(index), TEST_BINDING));
        const versions: StoredVersion[] = [];
        for (const hash of hashes)
          versions.push(await storedVersion(store.space("record"), kek, hash));
        // Filler in table files, the versions in the log: the hard case for an erasure.
        const filler = store.space("telemetry");
        for (let index = 0; index < 2_000; index++) {
          await filler.put(`reading/${index}`, randomBytes(1_000), { sync: false });
        }
        await store.close();
        expect((await filesHolding(dir, needlesOf(versions.slice(0, 3)))).length).toBeGreaterThan(
          0,
        );

        // Erases versions 0, 1, 2 in that order, killed in the second erasure.
        const erased = hashes.slice(0, 3);
        const { signal } = await run(["erase", dir, hex(kek), phase, "2", ...erased]);
        expect(signal).toBe("SIGKILL");
        if (phase === "deleted") {
          // The control: killed mid-erasure, the second version's bytes are still in the files.
          expect((await filesHolding(dir, needlesOf(versions.slice(1, 2)))).length).toBeGreaterThan(
            0,
          );
        }
        store = await LocalStore.open(dir);
        content = new ContentStore(store.space("record"), kek);
        // The first erasure finished and the second was resumed at the open: both are gone.
        expect(await holds(content, hashes[0] as string)).toBe(false);
        expect(await holds(content, hashes[1] as string)).toBe(false);
        await store.close();
        expect(await filesHolding(dir, needlesOf(versions.slice(0, 2)))).toEqual([]);
        // The third had not started: the worker's resume erases it, as it would after a restart.
        store = await LocalStore.open(dir);
        content = new ContentStore(store.space("record"), kek);
        expect(await holds(content, hashes[2] as string)).toBe(true);
        await content.erase(erased);
        for (const [index, hash] of hashes.entries()) {
          expect(await holds(content, hash)).toBe(index >= 3);
        }
        expect(await content.open(hashes[4] as string, TEST_BINDING)).toEqual(crashContent(4));
        await store.close();
        expect(await filesHolding(dir, needlesOf(versions.slice(0, 3)))).toEqual([]);
        // The control: the versions kept are still in the files.
        expect((await filesHolding(dir, [versions[3]?.blob as Uint8Array])).length).toBeGreaterThan(
          0,
        );
      } finally {
        remove();
      }
    },
  );
});
