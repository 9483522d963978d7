import { concatBytes, sha256 } from "./hash.js";
import { signingBytes } from "./signing.js";

/** HTTP headers of a signed read: the caller's key, the time it signed, and the signature. */
export const REQUEST_KEY_HEADER = "x-careledger-key";
export const REQUEST_TIME_HEADER = "x-careledger-time";
export const REQUEST_SIGNATURE_HEADER = "x-careledger-signature";
/** How far a signed request's time may be from the node's clock, either way. */
export const REQUEST_WINDOW_MS = 30_000;

/**
 * What a caller signs to read data scoped to its identity: the method, the path with its query
 * string, the SHA-256 of the body (of nothing for a GET) and the time, under the "request" kind
 * and the chain id, so a signed request never passes for a transaction or a vote.
 */
export function requestSigningBytes(
  chainId: Uint8Array,
  method: string,
  pathWithQuery: string,
  body: Uint8Array,
  timeMs: number,
): Uint8Array {
  return signingBytes("request", chainId, [
    method.toUpperCase(),
    pathWithQuery,
    sha256(concatBytes(body)),
    timeMs,
  ]);
}
