import { encode } from "./encoding.js";
import { CareLedgerError } from "./errors.js";
import { sha256, toHex } from "./hash.js";
import { PUBLIC_KEY_BYTES } from "./keys.js";
import { VALIDATORS_MAX } from "./limits.js";

/**
 * A validator set is an ordered list of node public keys: the primary of view v is
 * `validators[v mod n]`, and certificates name signers by their index in this list.
 */
export type ValidatorSet = readonly Uint8Array[];

/** The hash that headers carry in `validatorsHash` and `nextValidatorsHash`. */
export function validatorsHash(validators: ValidatorSet): Uint8Array {
  assertValidatorSet(validators);
  return sha256(encode(validators as Uint8Array[]));
}

export function assertValidatorSet(validators: ValidatorSet): void {
  if (validators.length === 0 || validators.length > VALIDATORS_MAX) {
    throw new CareLedgerError("GENESIS_INVALID", `validator set of ${validators.length}`);
  }
  const seen = new Set<string>();
  for (const key of validators) {
    if (key.byteLength !== PUBLIC_KEY_BYTES) {
      throw new CareLedgerError("GENESIS_INVALID", "validator key must be 32 bytes");
    }
    const hex = toHex(key);
    if (seen.has(hex)) throw new CareLedgerError("GENESIS_INVALID", "duplicate validator key");
    seen.add(hex);
  }
}
