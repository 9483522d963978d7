import { blockHash, type Header } from "@careledger/protocol";

/**
 * The hash of a header, computed once per header object: the replica meets the same decoded
 * header several times (pre-prepare, proofs, new views). Headers are never mutated.
 */
const cache = new WeakMap<Header, Uint8Array>();

export function hashOfHeader(header: Header): Uint8Array {
  let hash = cache.get(header);
  if (hash === undefined) {
    hash = blockHash(header);
    cache.set(header, hash);
  }
  return hash;
}
