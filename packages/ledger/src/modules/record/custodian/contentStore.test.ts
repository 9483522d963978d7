import { randomBytes } from "node:crypto";
import { CareLedgerError, sha256, toHex } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { filesHolding } from "../../../local/fileScan.testkit.js";
import { type LocalSpace, LocalStore } from "../../../local/localStore.js";
import { tempDir } from "../../../testing/tempDir.js";
import { needlesOf, storedVersion, TEST_BINDING } from "./contentKeys.testkit.js";
import {
  BLOB_OVERHEAD_BYTES,
  ContentStore,
  NONCE_BYTES,
  WRAPPED_KEY_BYTES,
} from "./contentStore.js";

let dir: string;
let remove: () => void;
let store: LocalStore;
let space: LocalSpace;
let content: ContentStore;
const kek = randomBytes(32);

beforeEach(async () => {
  ({ dir, remove } = tempDir("content-store"));
  store = await LocalStore.open(dir);
  space = store.space("record");
  content = new ContentStore(space, kek);
});
afterEach(async () => {
  await store.close();
  remove();
});

const marker = (label: string) => new TextEncoder().encode(`PHI-MARKER-${label}-${"x".repeat(64)}`);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CareLedgerError) return error.code;
    throw error;
  }
  return "ok";
}

describe("the content store", () => {
  it("answers the SHA-256 of the stored blob, which is nonce | ciphertext | tag", async () => {
    const plaintext = marker("layout");
    const hash = await content.put(plaintext, TEST_BINDING);
    const blob = (await space.get(`v/${hash}/blob`)) as Uint8Array;
    expect(toHex(sha256(blob))).toBe(hash);
    expect(blob.byteLength).toBe(plaintext.byteLength + BLOB_OVERHEAD_BYTES);
    expect(Buffer.from(blob).indexOf(Buffer.from(plaintext))).toBe(-1);
    const wrapped = (await space.get(`v/${hash}/key`)) as Uint8Array;
    expect(wrapped.byteLength).toBe(WRAPPED_KEY_BYTES);
    expect(await content.open(hash, TEST_BINDING)).toEqual(plaintext);
  });

  it("seals each version under its own data key and nonce, so one content gives two blobs", async () => {
    const plaintext = marker("twice");
    const first = await content.put(plaintext, TEST_BINDING);
    const second = await content.put(plaintext, TEST_BINDING);
    expect(first).not.toBe(second);
    const nonceOf = async (hash: string) =>
      ((await space.get(`v/${hash}/blob`)) as Uint8Array).subarray(0, NONCE_BYTES);
    expect(await nonceOf(first)).not.toEqual(await nonceOf(second));
    expect(await content.open(first, TEST_BINDING)).toEqual(plaintext);
    expect(await content.open(second, TEST_BINDING)).toEqual(plaintext);
  });

  it("keeps the data key only wrapped by the KEK: the blob does not open without the KEK", async () => {
    const hash = await content.put(marker("kek"), TEST_BINDING);
    const other = new ContentStore(space, randomBytes(32));
    expect(await codeOf(other.open(hash, TEST_BINDING))).toBe("RECORD_TAMPERED");
  });

  it("answers RECORD_TAMPERED for a blob whose hash differs from the anchor", async () => {
    const hash = await content.put(marker("tamper"), TEST_BINDING);
    const blob = Uint8Array.from((await space.get(`v/${hash}/blob`)) as Uint8Array);
    blob[NONCE_BYTES] = (blob[NONCE_BYTES] as number) ^ 1;
    await space.put(`v/${hash}/blob`, blob);
    expect(await codeOf(content.open(hash, TEST_BINDING))).toBe("RECORD_TAMPERED");
  });

  it("answers RECORD_TAMPERED for a wrapped key moved beside another blob", async () => {
    const first = await content.put(marker("swap-1"), TEST_BINDING);
    const second = await content.put(marker("swap-2"), TEST_BINDING);
    await space.put(`v/${second}/key`, (await space.get(`v/${first}/key`)) as Uint8Array);
    expect(await codeOf(content.open(second, TEST_BINDING))).toBe("RECORD_TAMPERED");
    expect(await codeOf(content.open(first, TEST_BINDING))).toBe("ok");
  });

  it("answers RECORD_NOT_HELD for a version it never stored, or whose key is missing", async () => {
    expect(await codeOf(content.open("ab".repeat(32), TEST_BINDING))).toBe("RECORD_NOT_HELD");
    const hash = await content.put(marker("half"), TEST_BINDING);
    await space.del(`v/${hash}/key`);
    expect(await codeOf(content.open(hash, TEST_BINDING))).toBe("RECORD_NOT_HELD");
  });

  it("refuses a hash that is not 64 lowercase hex digits before reading anything", async () => {
    await expect(content.open("AB".repeat(32), TEST_BINDING)).rejects.toThrow(RangeError);
    await expect(content.erase(["v/"])).rejects.toThrow(RangeError);
  });

  it("erases blobs, wrapped keys and data keys from every file, and keeps other versions", async () => {
    const plaintexts = [marker("erase-1"), marker("erase-2")];
    const hashes: string[] = [];
    for (const plaintext of plaintexts) hashes.push(await content.put(plaintext, TEST_BINDING));
    const kept = await content.put(marker("kept"), TEST_BINDING);
    const versions = await Promise.all(hashes.map((hash) => storedVersion(space, kek, hash)));
    const needles = [...needlesOf(versions), ...plaintexts];
    // The control: before the erasure the scan finds each blob and wrapped key (needles 0, 1,
    // 3, 4); a data key (2, 5) or a plaintext (6, 7) is never in a file, even before.
    const before = await filesHolding(dir, needles);
    expect(new Set(before.map((found) => found.split(": ")[1]))).toEqual(
      new Set(["0", "1", "3", "4"]),
    );
    // Blob, binding and wrapped key of each.
    expect(await content.erase([...hashes, ...hashes])).toBe(6);
    expect(await filesHolding(dir, needles)).toEqual([]);
    for (const hash of hashes)
      expect(await codeOf(content.open(hash, TEST_BINDING))).toBe("RECORD_NOT_HELD");
    expect(await content.open(kept, TEST_BINDING)).toEqual(marker("kept"));
    expect(await content.erase(hashes)).toBe(0);
  });

  it("seals the data key with AES-256-GCM under the KEK, bound to the blob's hash", async () => {
    const hash = await content.put(marker("wrap"), TEST_BINDING);
    const { dataKey, wrappedKey } = await storedVersion(space, kek, hash);
    expect(dataKey.byteLength).toBe(32);
    expect(wrappedKey.byteLength).toBe(WRAPPED_KEY_BYTES);
  });

  it("opens a blob only for the anchor it was bound to, and detects a binding edited on disk", async () => {
    const hash = await content.put(marker("bound"), TEST_BINDING);
    const others = [
      { ...TEST_BINDING, record: "12".repeat(16) },
      { ...TEST_BINDING, version: 2 },
      { ...TEST_BINDING, patient: "34".repeat(32) },
      { ...TEST_BINDING, class: "mental-health" },
    ];
    for (const other of others) {
      expect(await codeOf(content.open(hash, other))).toBe("RECORD_NOT_HELD");
    }
    expect(await content.open(hash, TEST_BINDING)).toEqual(marker("bound"));
    // Rebinding on disk to another record: the wrapped key no longer unwraps.
    const rebound = { ...TEST_BINDING, record: "12".repeat(16) };
    await space.put(`v/${hash}/meta`, new TextEncoder().encode(JSON.stringify(rebound)));
    expect(await codeOf(content.open(hash, rebound))).toBe("RECORD_TAMPERED");
  });

  it("notes each upload as pending for its uploader until settled, and erases the note with it", async () => {
    const first = await content.put(marker("pending-1"), TEST_BINDING);
    const second = await content.put(marker("pending-2"), TEST_BINDING);
    const pending = await content.pendingOf(TEST_BINDING.uploader, 10);
    expect(pending.map((upload) => upload.hash).sort()).toEqual([first, second].sort());
    expect(pending[0]?.bytes).toBe(marker("pending-1").byteLength);
    expect(await content.pendingOf("00".repeat(32), 10)).toEqual([]);
    await content.settle(TEST_BINDING.uploader, first);
    await content.erase([second]);
    expect(await content.pendingOf(TEST_BINDING.uploader, 10)).toEqual([]);
    expect(await content.open(first, TEST_BINDING)).toEqual(marker("pending-1"));
  });
});
