import { CareLedgerError } from "@careledger/protocol";

/**
 * Base64 (RFC 4648) without Buffer, so the SDK runs in browsers: `btoa`/`atob` exist in every
 * browser and in Node 16+. Decoding is strict: padding and alphabet are checked first, since
 * `atob` silently accepts whitespace and missing padding.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** Bytes per String.fromCharCode call: stays well under engines' argument-count limits. */
const CHUNK_BYTES = 0x8000;

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let offset = 0; offset < bytes.byteLength; offset += CHUNK_BYTES) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + CHUNK_BYTES));
  }
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  if (!BASE64.test(text)) throw new CareLedgerError("ENCODING_INVALID", "not base64");
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Base64url without padding, as JWK (RFC 7517) writes key material. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array {
  // A length of 1 mod 4 cannot come from any byte string.
  if (!BASE64URL.test(text) || text.length % 4 === 1) {
    throw new CareLedgerError("ENCODING_INVALID", "not base64url");
  }
  const padded =
    text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return fromBase64(padded);
}
