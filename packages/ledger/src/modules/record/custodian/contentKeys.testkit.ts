import { createDecipheriv } from "node:crypto";
import type { LocalSpace } from "../../../local/localStore.js";
import { type ContentStore, NONCE_BYTES, TAG_BYTES, type UploadBinding } from "./contentStore.js";

/** A binding for store-level tests, where no chain says what the upload is for. */
export const TEST_BINDING: UploadBinding = {
  record: "ab".repeat(16),
  version: 1,
  patient: "cd".repeat(32),
  class: "lab",
  uploader: "ef".repeat(32),
  time: 0,
};

/** Whether the store holds content of `hash` uploaded for `record` (TEST_BINDING's). */
export async function holds(
  content: ContentStore,
  hash: string,
  record = TEST_BINDING.record,
): Promise<boolean> {
  return (await content.heldFor(record, [hash])).length === 1;
}

/** What the store keeps of one version, and its data key: the needles of an erasure scan. */
export interface StoredVersion {
  readonly blob: Uint8Array;
  readonly wrappedKey: Uint8Array;
  readonly dataKey: Uint8Array;
}

/**
 * Reads a version's blob and wrapped key from the space and unwraps its data key with the KEK,
 * as the store's layout says (README "Records custodian"), without the store's own code.
 */
export async function storedVersion(
  space: LocalSpace,
  kek: Uint8Array,
  hash: string,
): Promise<StoredVersion> {
  const blob = await space.get(`v/${hash}/blob`);
  const meta = await space.get(`v/${hash}/meta`);
  const wrappedKey = await space.get(`v/${hash}/key`);
  if (blob === undefined || meta === undefined || wrappedKey === undefined) {
    throw new Error(`no version ${hash}`);
  }
  const decipher = createDecipheriv("aes-256-gcm", kek, wrappedKey.subarray(0, NONCE_BYTES));
  decipher.setAAD(
    Buffer.concat([Buffer.from(`careledger:record-key:v2:${hash}\n`), Buffer.from(meta)]),
  );
  decipher.setAuthTag(wrappedKey.subarray(wrappedKey.byteLength - TAG_BYTES));
  const body = wrappedKey.subarray(NONCE_BYTES, wrappedKey.byteLength - TAG_BYTES);
  const dataKey = new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
  return { blob, wrappedKey, dataKey };
}

/** Every needle of these versions: blob, wrapped key and data key of each. */
export function needlesOf(versions: readonly StoredVersion[]): Uint8Array[] {
  return versions.flatMap((version) => [version.blob, version.wrappedKey, version.dataKey]);
}
