import {
  REQUEST_KEY_HEADER,
  REQUEST_NODE_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  requestSigningBytes,
  type Signer,
  toHex,
} from "@careledger/protocol";

/** Where a signed request goes: the chain, and the node (its public key) that will answer it. */
export interface RequestTarget {
  readonly chainId: Uint8Array;
  readonly nodeKey: Uint8Array;
}

/**
 * The headers of a signed request: the caller's key, the node it is addressed to, the time, and
 * the signature over the node's key, the method, the path with its query, the hash of the exact
 * body bytes sent and the time (protocol `requestSigningBytes`). Send `body` byte for byte as
 * signed: the node checks the signature against the bytes it receives, and refuses the request
 * at any other node (`REQUEST_WRONG_NODE`).
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
