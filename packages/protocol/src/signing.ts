import { type Canonical, encode } from "./encoding.js";

/**
 * The kinds of signed message. Every signed message is the canonical encoding of
 * `[kind, chainId, body]`, so a signature made for one kind or one chain never verifies as
 * another (domain separation).
 */
export const SIGNED_KINDS = [
  "tx",
  "commit",
  "prepare",
  "preprepare",
  "viewchange",
  "newview",
  "checkpoint",
  "request",
] as const;

export type SignedKind = (typeof SIGNED_KINDS)[number];

export function signingBytes(kind: SignedKind, chainId: Uint8Array, body: Canonical): Uint8Array {
  return encode([kind, chainId, body]);
}
