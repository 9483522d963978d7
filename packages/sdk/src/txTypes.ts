import {
  CareLedgerError,
  govProposePayload,
  govVotePayload,
  identityRegisterPayload,
  identityRevokePayload,
  orgRevokeAdminPayload,
  type PayloadChecker,
} from "@careledger/protocol";
import type { Static, TSchema } from "@sinclair/typebox";

/**
 * Every built-in transaction type and its payload checker (schema owned by the protocol). A new
 * type is one line here; the builders, their payload types and the tests follow from this map.
 */
export const TX_PAYLOADS = {
  "identity.register": identityRegisterPayload,
  "identity.revoke": identityRevokePayload,
  "org.revokeAdmin": orgRevokeAdminPayload,
  "gov.propose": govProposePayload,
  "gov.vote": govVotePayload,
} as const satisfies Record<string, PayloadChecker<TSchema>>;

export type TxTypeName = keyof typeof TX_PAYLOADS;

/** The payload a transaction type takes, derived from its schema. */
export type PayloadOf<T extends TxTypeName> = Static<(typeof TX_PAYLOADS)[T]["schema"]>;

export const TX_TYPE_NAMES = Object.keys(TX_PAYLOADS) as TxTypeName[];

export function isTxTypeName(type: string): type is TxTypeName {
  return Object.hasOwn(TX_PAYLOADS, type);
}

/** Checks a payload against its type's schema: `TX_UNKNOWN_TYPE` or `TX_PAYLOAD_INVALID`. */
export function checkPayload<T extends TxTypeName>(type: T, payload: unknown): PayloadOf<T> {
  if (!isTxTypeName(type)) throw new CareLedgerError("TX_UNKNOWN_TYPE", `no type ${String(type)}`);
  return TX_PAYLOADS[type].check(payload) as PayloadOf<T>;
}
