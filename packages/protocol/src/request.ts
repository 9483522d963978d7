import { sha256, toHex } from "./hash.js";
import { PUBLIC_KEY_BYTES, type Signer } from "./keys.js";
import { signingBytes } from "./signing.js";

/**
 * HTTP headers of a signed request: the caller's key, the node it is addressed to (that node's
 * public key), the time it signed, and the signature.
 */
export const REQUEST_KEY_HEADER = "x-careledger-key";
export const REQUEST_NODE_HEADER = "x-careledger-node";
export const REQUEST_TIME_HEADER = "x-careledger-time";
export const REQUEST_SIGNATURE_HEADER = "x-careledger-signature";
/** How far a signed request's time may be from the node's clock, either way. */
export const REQUEST_WINDOW_MS = 30_000;

/**
 * What a caller signs to make a request under its identity: the public key of the node it is
 * sent to, the method, the path with its query string, the SHA-256 of the exact body bytes sent
 * (of nothing when there is no body) and the time, under the "request" kind and the chain id.
 * The kind keeps a signed request from passing for a transaction or a vote; the node key keeps
 * it from being replayed at another node of the chain within its window; the body hash keeps
 * a relay from changing what is asked.
 *
 * An empty query string counts as none (`/x?` signs as `/x`): WHATWG URL clients (fetch,
 * undici, light-my-request) send `/x?` as `/x`, others (curl, raw sockets) send it as written, so
 * a caller cannot know which form the node will see.
 */
export function requestSigningBytes(
  chainId: Uint8Array,
  nodeKey: Uint8Array,
  method: string,
  pathWithQuery: string,
  body: Uint8Array,
  timeMs: number,
): Uint8Array {
  if (nodeKey.length !== PUBLIC_KEY_BYTES) {
    throw new RangeError(`node key is ${nodeKey.length} bytes, not ${PUBLIC_KEY_BYTES}`);
  }
  return signingBytes("request", chainId, [
    nodeKey,
    method.toUpperCase(),
    withoutEmptyQuery(pathWithQuery),
    sha256(body),
    timeMs,
  ]);
}

/** The path with a bare trailing `?` (an empty query string) dropped; any other query kept. */
function withoutEmptyQuery(pathWithQuery: string): string {
  return pathWithQuery.indexOf("?") === pathWithQuery.length - 1
    ? pathWithQuery.slice(0, -1)
    : pathWithQuery;
}

/** Where a signed request goes: the chain, and the node (its public key) that will answer it. */
export interface RequestTarget {
  readonly chainId: Uint8Array;
  readonly nodeKey: Uint8Array;
}

/**
 * The headers of a signed request: the caller's key, the node it is addressed to, the time, and
 * the signature over `requestSigningBytes`. Send `body` byte for byte as signed: the node checks
 * the signature against the bytes it receives, and refuses the request at any other node
 * (`REQUEST_WRONG_NODE`). The SDK and the api's tests sign through this one function.
 */
export function signedRequestHeaders(
  signer: Signer,
  target: RequestTarget,
  method: string,
  pathWithQuery: string,
  body: Uint8Array = new Uint8Array(0),
  timeMs: number = Date.now(),
): Record<string, string> {
  const message = requestSigningBytes(
    target.chainId,
    target.nodeKey,
    method,
    pathWithQuery,
    body,
    timeMs,
  );
  return {
    [REQUEST_KEY_HEADER]: toHex(signer.publicKey),
    [REQUEST_NODE_HEADER]: toHex(target.nodeKey),
    [REQUEST_TIME_HEADER]: String(timeMs),
    [REQUEST_SIGNATURE_HEADER]: toHex(signer.sign(message)),
  };
}
