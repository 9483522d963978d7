import { randomBytes } from "node:crypto";
import { CareLedgerError } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { tempDir } from "../testing/tempDir.js";
import { countFiles, filesHolding, secretValue } from "./fileScan.testkit.js";
import {
  LOCAL_KEY_BYTES_MAX,
  LOCAL_VALUE_BYTES_MAX,
  type LocalSpace,
  LocalStore,
} from "./localStore.js";

/** Megabytes of incompressible filler: with LevelDB's 4 MiB write buffer and 2 MiB tables, 12
 * of them span several table files and leave a write-ahead log. */
const FILLER_MB = 20;

async function fill(space: LocalSpace, tag: string, megabytes = FILLER_MB): Promise<void> {
  for (let batch = 0; batch < megabytes; batch++) {
    await Promise.all(
      Array.from({ length: 1_000 }, (_, index) =>
        space.put(`${tag}/${batch}/${index}`, randomBytes(1_000), { sync: false }),
      ),
    );
  }
}

async function withStore<T>(run: (store: LocalStore, dir: string) => Promise<T>): Promise<T> {
  const { dir, remove } = tempDir("local");
  try {
    return await run(await LocalStore.open(dir), dir);
  } finally {
    remove();
  }
}

describe("erase removes a value's bytes from every file of the store", () => {
  it.each([
    // The memtable then holds only the secret's key, so its flush may land at level 2, below
    // every file a range compaction rewrites: the case a delete-then-compact erasure misses.
    ["alone in the write-ahead log", "flushed before"],
    ["in the write-ahead log among other writes", "before"],
    ["flushed to table files", "after"],
  ])("a secret %s", async (_where, layout) => {
    const { dir, remove } = tempDir("local");
    try {
      let store = await LocalStore.open(dir);
      const { value, needles } = secretValue(randomBytes(32));
      if (layout !== "after") await fill(store.space("telemetry"), "a");
      if (layout === "flushed before") {
        // Reopening writes the log into a table file: the next log starts empty.
        await store.close();
        store = await LocalStore.open(dir);
      }
      const records = store.space("records");
      await records.put("patient-7/key", value);
      await records.put("patient-8/key", Uint8Array.of(8));
      if (layout === "after") await fill(store.space("telemetry"), "b");
      expect(await countFiles(dir, ".ldb")).toBeGreaterThanOrEqual(3);
      expect(await countFiles(dir, ".log")).toBeGreaterThanOrEqual(1);
      // The control: the same scan finds the secret before it is erased.
      expect((await filesHolding(dir, needles)).length).toBeGreaterThan(0);

      expect(await records.erase("patient-7/key")).toBe(1);
      expect(await records.get("patient-7/key")).toBeUndefined();
      await store.close();
      expect(await filesHolding(dir, needles)).toEqual([]);

      const reopened = await LocalStore.open(dir);
      expect(await reopened.space("records").get("patient-7/key")).toBeUndefined();
      expect(await reopened.space("records").get("patient-8/key")).toEqual(Uint8Array.of(8));
      expect(await reopened.space("telemetry").scan({ limit: 3 })).toHaveLength(3);
      await reopened.close();
    } finally {
      remove();
    }
  });

  it("a plain del leaves the bytes in the files: why erase exists", async () => {
    await withStore(async (store, dir) => {
      const records = store.space("records");
      const { value, needles } = secretValue(randomBytes(32));
      await records.put("k", value);
      await fill(store.space("telemetry"), "a", 6);
      await records.del("k");
      expect(await records.get("k")).toBeUndefined();
      await store.close();
      expect((await filesHolding(dir, needles)).length).toBeGreaterThan(0);
    });
  });

  it("erasePrefix erases every key under the prefix and nothing else", async () => {
    await withStore(async (store, dir) => {
      const records = store.space("records");
      const gone = [secretValue(randomBytes(32)), secretValue(randomBytes(32))];
      const kept = secretValue(randomBytes(32));
      await records.put("patient-1/a", gone[0]?.value as Uint8Array);
      await records.put("patient-1/b", gone[1]?.value as Uint8Array);
      await records.put("patient-10/a", kept.value);
      // Another module's key with the same name is another key.
      await store.space("claims").put("patient-1/a", kept.value);
      await fill(store.space("telemetry"), "a", 6);
      expect(await records.erasePrefix("patient-1/")).toBe(2);
      expect(await records.scan()).toEqual([["patient-10/a", kept.value]]);
      await store.close();
      expect(
        await filesHolding(
          dir,
          gone.flatMap((secret) => secret.needles),
        ),
      ).toEqual([]);
      expect((await filesHolding(dir, kept.needles)).length).toBeGreaterThan(0);
      const reopened = await LocalStore.open(dir);
      expect(await reopened.space("claims").get("patient-1/a")).toEqual(kept.value);
      await reopened.close();
    });
  });

  it("resumes at the next open an erasure that stopped, even after another one ran", async () => {
    const { dir, remove } = tempDir("local");
    try {
      // The first erasure stops after its deletions, as one that gave up does.
      let stopOnce = true;
      const store = await LocalStore.open(dir, {
        onErasePhase: (phase) => {
          if (phase === "deleted" && stopOnce) {
            stopOnce = false;
            throw new Error("stopped after the deletions");
          }
        },
      });
      const records = store.space("records");
      const first = secretValue(randomBytes(32));
      const second = secretValue(randomBytes(32));
      await records.put("patient-1/key", first.value);
      await records.put("patient-2/key", second.value);
      await fill(store.space("telemetry"), "a", 6);
      await expect(records.erase("patient-1/key")).rejects.toThrow(/stopped/);
      expect(await records.erase("patient-2/key")).toBe(1);
      await store.close();
      const resumed: string[] = [];
      const reopened = await LocalStore.open(dir, { onErasePhase: (phase) => resumed.push(phase) });
      expect(resumed).toEqual(["flushed", "deleted", "compacted"]);
      await reopened.close();
      expect(await filesHolding(dir, [...first.needles, ...second.needles])).toEqual([]);
      // Resumed once: nothing is left pending for the open after.
      const again: string[] = [];
      await (await LocalStore.open(dir, { onErasePhase: (phase) => again.push(phase) })).close();
      expect(again).toEqual([]);
    } finally {
      remove();
    }
  });

  it("erasing an absent key removes nothing and fails nothing", async () => {
    await withStore(async (store) => {
      expect(await store.space("records").erase("never-written")).toBe(0);
      await store.close();
    });
  });
});

describe("local spaces", () => {
  it("scans in key order, by prefix, in pages", async () => {
    await withStore(async (store) => {
      const index = store.space("claims.index");
      for (const key of ["b/2", "a/1", "b/1", "b/3", "c/1"]) {
        await index.put(key, new TextEncoder().encode(key));
      }
      const keys = async (options: Parameters<LocalSpace["scan"]>[0]) =>
        (await index.scan(options)).map(([key]) => key);
      expect(await keys({})).toEqual(["a/1", "b/1", "b/2", "b/3", "c/1"]);
      expect(await keys({ prefix: "b/", limit: 2 })).toEqual(["b/1", "b/2"]);
      expect(await keys({ prefix: "b/", after: "b/2" })).toEqual(["b/3"]);
      // An `after` before the prefix starts at the prefix; one after it finds nothing.
      expect(await keys({ prefix: "b/", after: "a" })).toEqual(["b/1", "b/2", "b/3"]);
      expect(await keys({ prefix: "b/", after: "a/1" })).toEqual(["b/1", "b/2", "b/3"]);
      expect(await keys({ prefix: "b/", after: "c" })).toEqual([]);
      await store.close();
    });
  });

  it("refuses oversized keys and values, bad space names and unbounded scans", async () => {
    await withStore(async (store) => {
      const space = store.space("records");
      const codeOf = (promise: Promise<unknown>) =>
        promise.then(
          () => "resolved",
          (error: unknown) => (error instanceof CareLedgerError ? error.code : String(error)),
        );
      expect(await codeOf(space.put("k".repeat(LOCAL_KEY_BYTES_MAX + 1), Uint8Array.of(1)))).toBe(
        "ENCODING_TOO_LARGE",
      );
      expect(await codeOf(space.put("k", new Uint8Array(LOCAL_VALUE_BYTES_MAX + 1)))).toBe(
        "ENCODING_TOO_LARGE",
      );
      expect(await codeOf(space.put("k".repeat(LOCAL_KEY_BYTES_MAX), Uint8Array.of(1)))).toBe(
        "resolved",
      );
      expect(() => store.space("")).toThrow(RangeError);
      expect(() => store.space("Records")).toThrow(RangeError);
      expect(() => store.space("a\u0000b")).toThrow(RangeError);
      await expect(space.scan({ limit: 0 })).rejects.toThrow(RangeError);
      await expect(space.scan({ limit: 10_001 })).rejects.toThrow(RangeError);
      await store.close();
    });
  });
});
