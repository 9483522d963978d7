import {
  CareLedgerError,
  type PayloadChecker,
  type PayloadOf,
  TX_TYPES,
  type TxTypeName,
} from "@careledger/protocol";
import type { TSchema } from "@sinclair/typebox";

/**
 * Every built-in transaction type's payload checker, derived from protocol's `TX_TYPES` (the one
 * contract the ledger also binds its handlers to): a new type there is a new builder here, with
 * its payload type, and no edit to this package.
 */
export const TX_PAYLOADS = Object.fromEntries(
  Object.entries(TX_TYPES).map(([type, entry]) => [type, entry.payload]),
) as unknown as { readonly [T in TxTypeName]: (typeof TX_TYPES)[T]["payload"] } & Readonly<
  Record<TxTypeName, PayloadChecker<TSchema>>
>;

export const TX_TYPE_NAMES = Object.keys(TX_TYPES) as TxTypeName[];

export function isTxTypeName(type: string): type is TxTypeName {
  return Object.hasOwn(TX_TYPES, type);
}

/** Checks a payload against its type's schema: `TX_UNKNOWN_TYPE` or `TX_PAYLOAD_INVALID`. */
export function checkPayload<T extends TxTypeName>(type: T, payload: unknown): PayloadOf<T> {
  if (!isTxTypeName(type)) throw new CareLedgerError("TX_UNKNOWN_TYPE", `no type ${String(type)}`);
  return TX_TYPES[type].payload.check(payload) as PayloadOf<T>;
}
