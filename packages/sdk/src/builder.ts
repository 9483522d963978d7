import {
  type Canonical,
  CareLedgerError,
  NONCE_BYTES,
  type PayloadOf,
  type SignedTx,
  type Signer,
  signTx,
  TX_TTL_MAX,
  TX_VERSION,
  type TxTypeName,
} from "@careledger/protocol";
import { checkPayload } from "./txTypes.js";

/** Heights a transaction stays valid for when the caller does not say: about a minute or two. */
export const DEFAULT_TX_TTL = 100;

export interface BuildOptions {
  /** The chain id (the genesis hash) the transaction binds to. */
  readonly chainId: Uint8Array;
  /** The last height at which it may commit (see `expiresAfter`). */
  readonly expires: number;
  /** 8 bytes; random when absent. Replay protection is by id, so random nonces never collide. */
  readonly nonce?: Uint8Array;
}

/** 8 random bytes from the platform's CSPRNG (WebCrypto, in browsers and Node alike). */
export function randomNonce(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
}

/**
 * The `expires` height for a transaction sent when the chain is at `currentHeight`: the node
 * admits it at that height or later, so `ttl` up to TX_TTL_MAX is always within its bound.
 */
export function expiresAfter(currentHeight: number, ttl: number = DEFAULT_TX_TTL): number {
  if (!Number.isSafeInteger(currentHeight) || currentHeight < 0) {
    throw new RangeError(`height ${currentHeight} is not a height`);
  }
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > TX_TTL_MAX) {
    throw new CareLedgerError("TX_EXPIRY_TOO_FAR", `ttl ${ttl} is outside 1..${TX_TTL_MAX}`, {
      ttlMax: TX_TTL_MAX,
    });
  }
  return currentHeight + ttl;
}

/**
 * Builds and signs a transaction of a built-in type. The payload is checked against its schema
 * first, so a malformed payload fails here (`TX_PAYLOAD_INVALID`), not after a round trip.
 */
export function buildTx<T extends TxTypeName>(
  type: T,
  payload: PayloadOf<T>,
  signer: Signer,
  options: BuildOptions,
): SignedTx {
  const checked = checkPayload(type, payload);
  return signTx(
    {
      v: TX_VERSION,
      chain: options.chainId,
      type,
      nonce: options.nonce ?? randomNonce(),
      expires: options.expires,
      payload: checked as unknown as Canonical,
    },
    signer,
  );
}

/** A signer bound to one chain: `build(type, payload, expires)` for every built-in type. */
export class TxBuilder {
  constructor(
    readonly chainId: Uint8Array,
    readonly signer: Signer,
  ) {}

  build<T extends TxTypeName>(type: T, payload: PayloadOf<T>, expires: number): SignedTx {
    return buildTx(type, payload, this.signer, { chainId: this.chainId, expires });
  }
}
