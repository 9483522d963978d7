import { type Signer, signedRequestHeaders } from "@careledger/protocol";
import { CHAIN } from "./memoryNode.testkit.js";

/** The memory node's key (`memoryNode().status().nodeKey`). */
export const MEMORY_NODE_KEY = new Uint8Array(32).fill(1);

export interface SignedRequestParts {
  readonly method: string;
  readonly url: string;
  readonly body?: Uint8Array;
  readonly time?: number;
  /** The node the request is signed for; the memory node by default. */
  readonly nodeKey?: Uint8Array;
}

/** Headers of a request to the memory node's chain, signed as the SDK signs (protocol's). */
export function signedHeaders(signer: Signer, parts: SignedRequestParts): Record<string, string> {
  const target = { chainId: CHAIN, nodeKey: parts.nodeKey ?? MEMORY_NODE_KEY };
  return signedRequestHeaders(signer, target, parts.method, parts.url, parts.body, parts.time);
}
