import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  type ScryptOptions,
  scrypt,
  timingSafeEqual,
} from "node:crypto";
import { CareLedgerError } from "@careledger/protocol";
import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";

/**
 * A secret key encrypted at rest (version 1): scrypt turns the passphrase and a random salt into
 * 64 bytes, the first 32 an AES-256-GCM key, the last 32 a check value stored in the file, so a
 * wrong passphrase (KEY_PASSPHRASE_WRONG) is told apart from a file altered after it was written
 * (KEY_FILE_TAMPERED: the GCM tag fails). The check costs a guesser the same scrypt as the
 * ciphertext does, so it gives nothing away. The header (format, version, purpose, kdf, cipher)
 * is the cipher's associated data: a file's purpose or parameters cannot be changed unnoticed.
 */
export const KEY_FILE_FORMAT = "careledger-key";

export const KEY_PURPOSES = ["node", "admin", "kek"] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

const b64 = (minBytes: number, maxBytes: number) =>
  Type.String({
    pattern: "^[A-Za-z0-9_-]+$",
    minLength: Math.ceil((minBytes * 4) / 3),
    maxLength: Math.ceil((maxBytes * 4) / 3),
  });

const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const CHECK_BYTES = 32;
const AES_KEY_BYTES = 32;
const SECRET_BYTES_MAX = 64;

const KeyFileSchema = Type.Object(
  {
    format: Type.Literal(KEY_FILE_FORMAT),
    version: Type.Literal(1),
    purpose: Type.Union(KEY_PURPOSES.map((purpose) => Type.Literal(purpose))),
    kdf: Type.Object(
      {
        name: Type.Literal("scrypt"),
        N: Type.Integer(),
        r: Type.Integer(),
        p: Type.Integer(),
        salt: b64(SALT_BYTES, 64),
      },
      { additionalProperties: false },
    ),
    cipher: Type.Object(
      { name: Type.Literal("aes-256-gcm"), nonce: b64(NONCE_BYTES, NONCE_BYTES) },
      { additionalProperties: false },
    ),
    check: b64(CHECK_BYTES, CHECK_BYTES),
    ciphertext: b64(TAG_BYTES + 1, TAG_BYTES + SECRET_BYTES_MAX),
  },
  { additionalProperties: false },
);

export type KeyFile = Static<typeof KeyFileSchema>;
export type ScryptParams = Pick<KeyFile["kdf"], "N" | "r" | "p">;

/**
 * 2^17 x 8 x 1: 128 MiB and about half a second per key on this machine (node README, "Key
 * custody"), the cost OWASP suggests for scrypt.
 */
export const SCRYPT_DEFAULTS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

/**
 * What a file may ask for. Below 2^14 a passphrase is too cheap to guess; above 2^20 x 8 (1 GiB)
 * or a product r x p above 32, a crafted file would stall or exhaust the node that opens it.
 */
export const SCRYPT_BOUNDS = { nLog2Min: 14, nLog2Max: 20, rMax: 32, pMax: 16, rpMax: 32 };

const keyFileCheck = TypeCompiler.Compile(KeyFileSchema);

/** Refuses scrypt parameters outside SCRYPT_BOUNDS with KEY_FILE_PARAMS. */
export function assertScryptParams({ N, r, p }: ScryptParams): void {
  const log2 = Math.log2(N);
  const fine =
    Number.isInteger(log2) &&
    log2 >= SCRYPT_BOUNDS.nLog2Min &&
    log2 <= SCRYPT_BOUNDS.nLog2Max &&
    r >= 1 &&
    r <= SCRYPT_BOUNDS.rMax &&
    p >= 1 &&
    p <= SCRYPT_BOUNDS.pMax &&
    r * p <= SCRYPT_BOUNDS.rpMax;
  if (!fine) {
    throw new CareLedgerError(
      "KEY_FILE_PARAMS",
      `scrypt N=${N} r=${r} p=${p}: N must be a power of two from 2^${SCRYPT_BOUNDS.nLog2Min} to 2^${SCRYPT_BOUNDS.nLog2Max}, r at most ${SCRYPT_BOUNDS.rMax}, p at most ${SCRYPT_BOUNDS.pMax}, r x p at most ${SCRYPT_BOUNDS.rpMax}`,
    );
  }
}

function derive(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    // scrypt needs 128 x N x r bytes; node:crypto's default cap (32 MiB) is below the defaults.
    maxmem: 128 * params.N * params.r * params.p + 16 * 1024 * 1024,
  };
  return new Promise((done, fail) => {
    scrypt(passphrase, salt, AES_KEY_BYTES + CHECK_BYTES, options, (error, key) =>
      error === null ? done(key) : fail(error),
    );
  });
}

/** The associated data: the header in a fixed field order. */
function headerOf(file: Pick<KeyFile, "format" | "version" | "purpose" | "kdf" | "cipher">) {
  const { name, N, r, p, salt } = file.kdf;
  return Buffer.from(
    JSON.stringify([file.format, file.version, file.purpose, name, N, r, p, salt, file.cipher]),
  );
}

/** Encrypts `secret` under `passphrase` into a version-1 key file. */
export async function sealKey(
  secret: Uint8Array,
  purpose: KeyPurpose,
  passphrase: string,
  params: ScryptParams = SCRYPT_DEFAULTS,
): Promise<KeyFile> {
  assertScryptParams(params);
  if (passphrase.length === 0) throw new CareLedgerError("KEY_PASSPHRASE_MISSING");
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const derived = await derive(passphrase, salt, params);
  const header = {
    format: KEY_FILE_FORMAT,
    version: 1,
    purpose,
    kdf: { name: "scrypt", ...params, salt: salt.toString("base64url") },
    cipher: { name: "aes-256-gcm", nonce: nonce.toString("base64url") },
  } as const;
  const cipher = createCipheriv("aes-256-gcm", derived.subarray(0, AES_KEY_BYTES), nonce);
  cipher.setAAD(headerOf(header));
  const body = Buffer.concat([cipher.update(secret), cipher.final(), cipher.getAuthTag()]);
  return {
    ...header,
    check: derived.subarray(AES_KEY_BYTES).toString("base64url"),
    ciphertext: body.toString("base64url"),
  };
}

/**
 * Decrypts a parsed key file of `purpose`. KEY_FILE_INVALID: not a version-1 key file, or one of
 * another purpose; KEY_FILE_PARAMS: scrypt parameters out of bounds (checked before any work);
 * KEY_PASSPHRASE_WRONG; KEY_FILE_TAMPERED.
 */
export async function openKey(
  value: unknown,
  purpose: KeyPurpose,
  passphrase: string,
): Promise<Uint8Array> {
  if (!keyFileCheck.Check(value)) {
    const first = keyFileCheck.Errors(value).First();
    throw new CareLedgerError("KEY_FILE_INVALID", `${first?.path || "/"}: ${first?.message}`);
  }
  if (value.purpose !== purpose) {
    throw new CareLedgerError(
      "KEY_FILE_INVALID",
      `holds the ${value.purpose} key, not the ${purpose} key`,
    );
  }
  assertScryptParams(value.kdf);
  const salt = Buffer.from(value.kdf.salt, "base64url");
  const derived = await derive(passphrase, salt, value.kdf);
  const check = Buffer.from(value.check, "base64url");
  if (
    check.byteLength !== CHECK_BYTES ||
    !timingSafeEqual(check, derived.subarray(AES_KEY_BYTES))
  ) {
    throw new CareLedgerError("KEY_PASSPHRASE_WRONG");
  }
  const body = Buffer.from(value.ciphertext, "base64url");
  const nonce = Buffer.from(value.cipher.nonce, "base64url");
  try {
    const decipher = createDecipheriv("aes-256-gcm", derived.subarray(0, AES_KEY_BYTES), nonce);
    decipher.setAAD(headerOf(value));
    decipher.setAuthTag(body.subarray(body.byteLength - TAG_BYTES));
    const secret = Buffer.concat([
      decipher.update(body.subarray(0, body.byteLength - TAG_BYTES)),
      decipher.final(),
    ]);
    return new Uint8Array(secret);
  } catch {
    throw new CareLedgerError("KEY_FILE_TAMPERED");
  }
}
