import {
  accountId,
  bytesEqual,
  CareLedgerError,
  concatBytes,
  fromHex,
  generateSecretKey,
  PUBLIC_KEY_BYTES,
  publicKeyOf,
  SECRET_KEY_BYTES,
  toHex,
} from "@careledger/protocol";
import { fromBase64, fromBase64Url, toBase64, toBase64Url } from "./base64.js";

/**
 * Ed25519 keys in the forms other tools use: raw hex (what the protocol and devnets write), PEM
 * (PKCS#8 for the secret key, SPKI for the public key, as OpenSSL and node:crypto read them) and
 * JWK (RFC 8037, as WebCrypto reads them). Signing and key derivation are the protocol's.
 */

/** DER of PKCS#8 `PrivateKeyInfo` for Ed25519 (RFC 8410), up to the 32-byte seed. */
const PKCS8_PREFIX = fromHex("302e020100300506032b657004220420");
/** DER of `SubjectPublicKeyInfo` for Ed25519 (RFC 8410), up to the 32-byte public key. */
const SPKI_PREFIX = fromHex("302a300506032b6570032100");
const PEM_LINE_CHARS = 64;

export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** The account id: lowercase hex of the public key (protocol `accountId`). */
  readonly accountId: string;
}

export function keyPairFromSecretKey(secretKey: Uint8Array): KeyPair {
  assertLength(secretKey, SECRET_KEY_BYTES, "secret key");
  const publicKey = publicKeyOf(secretKey);
  return { secretKey: secretKey.slice(), publicKey, accountId: accountId(publicKey) };
}

export function generateKeyPair(): KeyPair {
  return keyPairFromSecretKey(generateSecretKey());
}

export function exportSecretKeyHex(secretKey: Uint8Array): string {
  assertLength(secretKey, SECRET_KEY_BYTES, "secret key");
  return toHex(secretKey);
}

/** Reads 64 hex digits; surrounding whitespace (a trailing newline in a key file) is ignored. */
export function importSecretKeyHex(hex: string): Uint8Array {
  return fromHex(hex.trim(), SECRET_KEY_BYTES);
}

export function exportSecretKeyPem(secretKey: Uint8Array): string {
  assertLength(secretKey, SECRET_KEY_BYTES, "secret key");
  return pem("PRIVATE KEY", concatBytes(PKCS8_PREFIX, secretKey));
}

export function importSecretKeyPem(text: string): Uint8Array {
  return derSuffix(unpem("PRIVATE KEY", text), PKCS8_PREFIX, SECRET_KEY_BYTES);
}

export function exportPublicKeyPem(publicKey: Uint8Array): string {
  assertLength(publicKey, PUBLIC_KEY_BYTES, "public key");
  return pem("PUBLIC KEY", concatBytes(SPKI_PREFIX, publicKey));
}

export function importPublicKeyPem(text: string): Uint8Array {
  return derSuffix(unpem("PUBLIC KEY", text), SPKI_PREFIX, PUBLIC_KEY_BYTES);
}

/** An Ed25519 JSON Web Key (RFC 8037): `x` is the public key, `d` the secret key. */
export interface Ed25519Jwk {
  readonly kty: "OKP";
  readonly crv: "Ed25519";
  readonly x: string;
  readonly d?: string;
}

export function exportPublicKeyJwk(publicKey: Uint8Array): Ed25519Jwk {
  assertLength(publicKey, PUBLIC_KEY_BYTES, "public key");
  return { kty: "OKP", crv: "Ed25519", x: toBase64Url(publicKey) };
}

export function exportSecretKeyJwk(secretKey: Uint8Array): Ed25519Jwk {
  const { publicKey } = keyPairFromSecretKey(secretKey);
  return { ...exportPublicKeyJwk(publicKey), d: toBase64Url(secretKey) };
}

export function importPublicKeyJwk(jwk: unknown): Uint8Array {
  const { x } = okpFields(jwk);
  return assertLength(fromBase64Url(x), PUBLIC_KEY_BYTES, "JWK x");
}

/** Reads a private JWK; when it carries `x`, that must be the key's own public key. */
export function importSecretKeyJwk(jwk: unknown): Uint8Array {
  const { x, d } = okpFields(jwk);
  if (d === undefined) throw new CareLedgerError("ENCODING_INVALID", "JWK has no private part d");
  const secretKey = assertLength(fromBase64Url(d), SECRET_KEY_BYTES, "JWK d");
  if (!bytesEqual(fromBase64Url(x), publicKeyOf(secretKey))) {
    throw new CareLedgerError("ENCODING_INVALID", "JWK x is not the public key of d");
  }
  return secretKey;
}

function okpFields(jwk: unknown): { x: string; d: string | undefined } {
  if (typeof jwk !== "object" || jwk === null) {
    throw new CareLedgerError("ENCODING_INVALID", "JWK must be an object");
  }
  const { kty, crv, x, d } = jwk as Record<string, unknown>;
  if (kty !== "OKP" || crv !== "Ed25519") {
    throw new CareLedgerError("ENCODING_INVALID", "JWK is not an OKP Ed25519 key");
  }
  if (typeof x !== "string" || (d !== undefined && typeof d !== "string")) {
    throw new CareLedgerError("ENCODING_INVALID", "JWK x and d must be strings");
  }
  return { x, d };
}

function pem(label: string, der: Uint8Array): string {
  const body = toBase64(der).match(new RegExp(`.{1,${PEM_LINE_CHARS}}`, "g")) ?? [];
  return `-----BEGIN ${label}-----\n${body.join("\n")}\n-----END ${label}-----\n`;
}

function unpem(label: string, text: string): Uint8Array {
  const match = new RegExp(
    `-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]*)-----END ${label}-----`,
  ).exec(text);
  if (match === null) throw new CareLedgerError("ENCODING_INVALID", `no ${label} PEM block`);
  return fromBase64((match[1] ?? "").replace(/\s+/g, ""));
}

function derSuffix(der: Uint8Array, prefix: Uint8Array, length: number): Uint8Array {
  if (
    der.byteLength !== prefix.byteLength + length ||
    !bytesEqual(der.subarray(0, prefix.byteLength), prefix)
  ) {
    throw new CareLedgerError("ENCODING_INVALID", "not an Ed25519 key in the RFC 8410 layout");
  }
  return der.slice(prefix.byteLength);
}

function assertLength(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== length) {
    throw new CareLedgerError("ENCODING_INVALID", `${what} must be ${length} bytes`);
  }
  return bytes;
}
