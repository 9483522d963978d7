import {
  CareLedgerError,
  fromHex,
  type PayloadOf,
  PUBLIC_KEY_BYTES,
  type Signer,
  type TxTypeName,
  toHex,
} from "@careledger/protocol";
import { buildTx, DEFAULT_TX_TTL, expiresAfter } from "./builder.js";
import type { CareLedgerClient } from "./client.js";
import type { CommittedTx, WaitOptions } from "./wait.js";

/** How a module helper sends its transaction: its time to live and how long to wait. */
export interface CommitOptions extends WaitOptions {
  /** Heights the transaction stays valid for (DEFAULT_TX_TTL when absent). */
  readonly ttl?: number;
}

/**
 * The client and the key it acts as, for the module helpers (records, consents, access): the
 * client's own signer signs their transactions and their scoped reads alike, so a helper never
 * reads as one key what it wrote as another.
 */
export class Caller {
  readonly signer: Signer;
  /** The caller's account id: its public key as lowercase hex. */
  readonly key: string;

  constructor(readonly client: CareLedgerClient) {
    if (client.signer === undefined) {
      throw new CareLedgerError(
        "REQUEST_UNSIGNED",
        "the module helpers act as the client's signer: pass ClientOptions.signer",
      );
    }
    this.signer = client.signer;
    this.key = toHex(client.signer.publicKey);
  }

  /** Builds, signs and submits `type`, then waits for a successful receipt (a failed one throws). */
  async commit<T extends TxTypeName>(
    type: T,
    payload: PayloadOf<T>,
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    // One status answer gives both the chain to sign for and the height the expiry counts from.
    const status = await this.client.status(options.signal);
    const expires = expiresAfter(status.height, options.ttl ?? DEFAULT_TX_TTL);
    const tx = buildTx(type, payload, this.signer, { chainId: status.chainId, expires });
    return this.client.submitAndWait(tx, options);
  }
}

/** A fresh random 128-bit id as 32 lowercase hex digits (a record's or a consent's). */
export function randomId(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}

/** A key as bytes or as its 64 hex digits (what queries answer). */
export type KeyInput = Uint8Array | string;

/** A public key as bytes, checked to be 32 (ENCODING_INVALID otherwise). */
export function keyBytes(key: KeyInput): Uint8Array {
  return fromHex(typeof key === "string" ? key : toHex(key), PUBLIC_KEY_BYTES);
}

/** A public key as lowercase hex, checked to be 32 bytes. */
export function keyHex(key: KeyInput): string {
  return toHex(keyBytes(key));
}
