import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { CareLedgerError, sha256, toHex } from "@careledger/protocol";
import type { LocalSpace } from "../../../local/localStore.js";

/** AES-256: a data key per record version, and the node's key-encryption key. */
export const DATA_KEY_BYTES = 32;
/** GCM's 96-bit nonce, random per encryption (each key seals one message, the KEK many). */
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** What the blob adds to the content: its nonce before the ciphertext, its tag after. */
export const BLOB_OVERHEAD_BYTES = NONCE_BYTES + TAG_BYTES;
/** A wrapped data key: nonce | encrypted key | tag. */
export const WRAPPED_KEY_BYTES = NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES;

const HASH_HEX = /^[0-9a-f]{64}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Domain of a blob's ciphertext, so no other GCM message under some key passes as content. */
const CONTENT_AAD = encoder.encode("careledger:record-content:v1");

/**
 * What an upload is for, stored with its blob (`v/<hash>/meta`, JSON) and authenticated by the
 * wrapped key's associated data: a read opens the blob only for this record, version, patient
 * and class (README "Binding"). `uploader` and `time` (the head's time at the upload) let the
 * worker erase an upload never anchored and the route bound each uploader's pending uploads.
 */
export interface UploadBinding {
  readonly record: string;
  readonly version: number;
  readonly patient: string;
  readonly class: string;
  readonly uploader: string;
  readonly time: number;
}

/** The anchor a read must find the blob bound to: the record's at the head. */
export type AnchorOf = Pick<UploadBinding, "record" | "version" | "patient" | "class">;

/** An upload not anchored yet: `pending/<uploader>/<hash>`, what its quota and TTL need. */
export interface PendingUpload {
  readonly uploader: string;
  readonly hash: string;
  readonly time: number;
  readonly bytes: number;
}

/**
 * A wrapped key's associated data names the blob it opens and the binding stored beside it: a
 * wrapped key copied beside another blob, or a binding edited on disk, fails to unwrap.
 */
function keyAad(hash: string, meta: Uint8Array): Uint8Array {
  const head = encoder.encode(`careledger:record-key:v2:${hash}\n`);
  const aad = new Uint8Array(head.byteLength + meta.byteLength);
  aad.set(head);
  aad.set(meta, head.byteLength);
  return aad;
}

/** Where a version's parts live in the module's LocalSpace: one prefix, erased as one range. */
const versionPrefix = (hash: string) => `v/${hash}/`;
const blobKey = (hash: string) => `${versionPrefix(hash)}blob`;
const metaKey = (hash: string) => `${versionPrefix(hash)}meta`;
const wrappedKeyKey = (hash: string) => `${versionPrefix(hash)}key`;
export const PENDING_PREFIX = "pending/";
const pendingPrefix = (uploader: string) => `${PENDING_PREFIX}${uploader}/`;
const pendingKey = (uploader: string, hash: string) => `${pendingPrefix(uploader)}${hash}`;

const sameAnchor = (binding: UploadBinding, anchor: AnchorOf) =>
  binding.record === anchor.record &&
  binding.version === anchor.version &&
  binding.patient === anchor.patient &&
  binding.class === anchor.class;

function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
}

/** The plaintext, or null when the tag does not verify (wrong key, altered bytes). */
function unseal(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  if (sealed.byteLength < BLOB_OVERHEAD_BYTES) return null;
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const body = sealed.subarray(NONCE_BYTES, sealed.byteLength - TAG_BYTES);
  const tag = sealed.subarray(sealed.byteLength - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
  } catch {
    return null;
  }
}

function checkHash(hash: string): void {
  if (!HASH_HEX.test(hash)) throw new RangeError(`content hash ${JSON.stringify(hash)}`);
}

function pendingEntry(key: string, value: Uint8Array): PendingUpload {
  const [uploader, hash] = key.slice(PENDING_PREFIX.length).split("/") as [string, string];
  const note = JSON.parse(decoder.decode(value)) as { time: number; bytes: number };
  return { uploader, hash, time: note.time, bytes: note.bytes };
}

/**
 * The custodian's encrypted record content (README "Records custodian"), in the record module's
 * LocalSpace. Each version is sealed with AES-256-GCM under a fresh random 256-bit data key; its
 * blob is `nonce (12) | ciphertext | tag (16)`, and the SHA-256 of the blob is the hash the
 * client anchors and the blob's name here. The data key is sealed with AES-256-GCM under the
 * node's key-encryption key, its associated data naming the blob, and kept beside the blob.
 */
export class ContentStore {
  private readonly kek: Uint8Array;

  constructor(
    private readonly space: LocalSpace,
    keyEncryptionKey: Uint8Array,
  ) {
    if (keyEncryptionKey.byteLength !== DATA_KEY_BYTES) {
      throw new RangeError(`key-encryption key of ${keyEncryptionKey.byteLength} bytes`);
    }
    this.kek = Uint8Array.from(keyEncryptionKey);
  }

  /**
   * Encrypts and stores one version bound to `binding`; resolves with its hash (lowercase hex)
   * once every part is synced. Written in this order: the pending note (so the worker's TTL
   * finds whatever follows), the blob, the binding, the wrapped key last: a crash leaves parts
   * no key opens, which the TTL erases, never a key without its blob.
   */
  async put(content: Uint8Array, binding: UploadBinding): Promise<string> {
    const dataKey = randomBytes(DATA_KEY_BYTES);
    try {
      const blob = seal(dataKey, content, CONTENT_AAD);
      const hash = toHex(sha256(blob));
      const meta = encoder.encode(JSON.stringify(binding));
      const wrapped = seal(this.kek, dataKey, keyAad(hash, meta));
      const note = { time: binding.time, bytes: content.byteLength };
      await this.space.put(
        pendingKey(binding.uploader, hash),
        encoder.encode(JSON.stringify(note)),
      );
      await this.space.put(blobKey(hash), blob);
      await this.space.put(metaKey(hash), meta);
      await this.space.put(wrappedKeyKey(hash), wrapped);
      return hash;
    } finally {
      dataKey.fill(0);
    }
  }

  /** What the version `hash` was uploaded for, or null when this node holds no binding of it. */
  async binding(hash: string): Promise<UploadBinding | null> {
    checkHash(hash);
    const meta = await this.space.get(metaKey(hash));
    return meta === undefined ? null : (JSON.parse(decoder.decode(meta)) as UploadBinding);
  }

  /**
   * Which of these versions this node holds content of uploaded for `record`: what a forget of
   * that record erases here (a blob bound to another record is that record's, never this one's).
   */
  async heldFor(record: string, hashes: readonly string[]): Promise<string[]> {
    const held: string[] = [];
    for (const hash of hashes) {
      if ((await this.binding(hash))?.record === record) held.push(hash);
    }
    return held;
  }

  /** The uploads of `uploader` not anchored yet (at most `limit`), for its quota. */
  async pendingOf(uploader: string, limit: number): Promise<PendingUpload[]> {
    const entries = await this.space.scan({ prefix: pendingPrefix(uploader), limit });
    return entries.map(([key, value]) => pendingEntry(key, value));
  }

  /** A page of every pending upload, in key order after `after`, for the worker's TTL sweep. */
  async pendingPage(after: string | null, limit: number): Promise<PendingUpload[]> {
    const entries = await this.space.scan({
      prefix: PENDING_PREFIX,
      limit,
      ...(after !== null && { after }),
    });
    return entries.map(([key, value]) => pendingEntry(key, value));
  }

  /** The key a pending page resumes after. */
  static pendingKeyOf(upload: PendingUpload): string {
    return pendingKey(upload.uploader, upload.hash);
  }

  /** The upload `hash` was anchored as it was bound: its pending note goes, the content stays. */
  async settle(uploader: string, hash: string): Promise<void> {
    checkHash(hash);
    await this.space.del(pendingKey(uploader, hash));
  }

  /**
   * The plaintext of the version `anchor` names, anchored with `hash`: RECORD_NOT_HELD when this
   * node holds no such version (erased, or uploaded to another node) or holds it bound to
   * another anchor (uploaded for another record, version, patient or class: it is not this
   * version's content); RECORD_TAMPERED when the stored blob's hash is not the anchored one or
   * a tag fails (the blob, its binding or its wrapped key was altered).
   */
  async open(hash: string, anchor: AnchorOf): Promise<Uint8Array> {
    checkHash(hash);
    const [blob, meta, wrapped] = await Promise.all([
      this.space.get(blobKey(hash)),
      this.space.get(metaKey(hash)),
      this.space.get(wrappedKeyKey(hash)),
    ]);
    if (blob === undefined || meta === undefined || wrapped === undefined) {
      throw new CareLedgerError("RECORD_NOT_HELD", `this node holds no content ${hash}`);
    }
    if (toHex(sha256(blob)) !== hash) {
      throw new CareLedgerError("RECORD_TAMPERED", `the stored blob of ${hash} hashes otherwise`);
    }
    const dataKey = unseal(this.kek, wrapped, keyAad(hash, meta));
    if (dataKey === null) {
      throw new CareLedgerError("RECORD_TAMPERED", `the wrapped key of ${hash} does not open`);
    }
    try {
      // Authenticated by the unwrap above: the binding is the uploader's, as it was stored.
      const binding = JSON.parse(decoder.decode(meta)) as UploadBinding;
      if (!sameAnchor(binding, anchor)) {
        throw new CareLedgerError(
          "RECORD_NOT_HELD",
          `content ${hash} was uploaded for another record or version`,
        );
      }
      const plaintext = unseal(dataKey, blob, CONTENT_AAD);
      if (plaintext === null) {
        throw new CareLedgerError("RECORD_TAMPERED", `the blob of ${hash} does not decrypt`);
      }
      return plaintext;
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Erases every part of these versions for real (LocalSpace.erasePrefix: gone from the log and
   * the table files, finished at the next open if a crash interrupts it). Each version's blob,
   * binding and key go in one range, so no crash leaves one without the others; the pending
   * note (no content in it) goes after. Idempotent; returns how many content entries it removed.
   */
  async erase(hashes: readonly string[]): Promise<number> {
    for (const hash of hashes) checkHash(hash);
    let removed = 0;
    for (const hash of new Set(hashes)) {
      const uploader = (await this.binding(hash))?.uploader;
      removed += await this.space.erasePrefix(versionPrefix(hash));
      if (uploader !== undefined) await this.space.del(pendingKey(uploader, hash));
    }
    return removed;
  }

  /** Erases a pending upload and its note, whether or not its parts were all written. */
  async erasePending(upload: PendingUpload): Promise<void> {
    await this.space.erasePrefix(versionPrefix(upload.hash));
    await this.space.del(pendingKey(upload.uploader, upload.hash));
  }
}
