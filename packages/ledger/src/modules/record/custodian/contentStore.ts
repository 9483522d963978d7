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
/** Domain of a blob's ciphertext, so no other GCM message under some key passes as content. */
const CONTENT_AAD = encoder.encode("careledger:record-content:v1");

/**
 * A wrapped key's associated data names the blob it opens: a wrapped key copied beside another
 * blob fails to unwrap, so keys cannot be swapped between versions unnoticed.
 */
function keyAad(hash: string): Uint8Array {
  return encoder.encode(`careledger:record-key:v1:${hash}`);
}

/** Where a version's parts live in the module's LocalSpace: one prefix, erased as one range. */
const versionPrefix = (hash: string) => `v/${hash}/`;
const blobKey = (hash: string) => `${versionPrefix(hash)}blob`;
const wrappedKeyKey = (hash: string) => `${versionPrefix(hash)}key`;

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
   * Encrypts and stores one version; resolves with its hash (lowercase hex) once both parts are
   * synced. The blob is written before the wrapped key: a crash between them leaves a blob no
   * key opens (never anchored, since the client had no hash), never a key without its blob.
   */
  async put(content: Uint8Array): Promise<string> {
    const dataKey = randomBytes(DATA_KEY_BYTES);
    try {
      const blob = seal(dataKey, content, CONTENT_AAD);
      const hash = toHex(sha256(blob));
      const wrapped = seal(this.kek, dataKey, keyAad(hash));
      await this.space.put(blobKey(hash), blob);
      await this.space.put(wrappedKeyKey(hash), wrapped);
      return hash;
    } finally {
      dataKey.fill(0);
    }
  }

  /** Whether this node holds both parts of the version `hash`. */
  async holds(hash: string): Promise<boolean> {
    checkHash(hash);
    const [blob, wrapped] = await Promise.all([
      this.space.get(blobKey(hash)),
      this.space.get(wrappedKeyKey(hash)),
    ]);
    return blob !== undefined && wrapped !== undefined;
  }

  /** Whether this node holds either part of any of these versions (so has something to erase). */
  async holdsAny(hashes: readonly string[]): Promise<boolean> {
    for (const hash of hashes) {
      checkHash(hash);
      const parts = await this.space.scan({ prefix: versionPrefix(hash), limit: 1 });
      if (parts.length > 0) return true;
    }
    return false;
  }

  /**
   * The plaintext of the version anchored with `hash`: RECORD_NOT_HELD when this node holds
   * no such version (erased, or uploaded to another node), RECORD_TAMPERED when the stored blob's
   * hash is not the anchored one or a tag fails (the blob or its wrapped key was altered).
   */
  async open(hash: string): Promise<Uint8Array> {
    checkHash(hash);
    const [blob, wrapped] = await Promise.all([
      this.space.get(blobKey(hash)),
      this.space.get(wrappedKeyKey(hash)),
    ]);
    if (blob === undefined || wrapped === undefined) {
      throw new CareLedgerError("RECORD_NOT_HELD", `this node holds no content ${hash}`);
    }
    if (toHex(sha256(blob)) !== hash) {
      throw new CareLedgerError("RECORD_TAMPERED", `the stored blob of ${hash} hashes otherwise`);
    }
    const dataKey = unseal(this.kek, wrapped, keyAad(hash));
    if (dataKey === null) {
      throw new CareLedgerError("RECORD_TAMPERED", `the wrapped key of ${hash} does not open`);
    }
    try {
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
   * the table files, finished at the next open if a crash interrupts it). Each version's blob
   * and key go in one range, so no crash leaves one without the other. Idempotent; returns how
   * many stored entries it removed.
   */
  async erase(hashes: readonly string[]): Promise<number> {
    for (const hash of hashes) checkHash(hash);
    let removed = 0;
    for (const hash of new Set(hashes))
      removed += await this.space.erasePrefix(versionPrefix(hash));
    return removed;
  }
}
