import {
  REQUEST_KEY_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  requestSigningBytes,
  type Signer,
  toHex,
} from "@careledger/protocol";

/**
 * The headers of a signed read: the caller's key, the time, and its signature over the method,
 * the path with its query, the body's hash and the time (protocol `requestSigningBytes`). The
 * node answers only with what that key's identity may see.
 */
export function signedRequestHeaders(
  signer: Signer,
  chainId: Uint8Array,
  method: string,
  pathWithQuery: string,
  body: Uint8Array = new Uint8Array(0),
  timeMs: number = Date.now(),
): Record<string, string> {
  const signature = signer.sign(requestSigningBytes(chainId, method, pathWithQuery, body, timeMs));
  return {
    [REQUEST_KEY_HEADER]: toHex(signer.publicKey),
    [REQUEST_TIME_HEADER]: String(timeMs),
    [REQUEST_SIGNATURE_HEADER]: toHex(signature),
  };
}
