import type { Static } from "@sinclair/typebox";
import { govProposePayload, govVotePayload } from "../payloads/governance.js";
import {
  identityRegisterPayload,
  identityRevokePayload,
  orgRevokeAdminPayload,
} from "../payloads/identity.js";
import type { TxTypeContract } from "./txContract.js";

const EXAMPLE_KEY = new Uint8Array(32).fill(7);

/**
 * Every built-in transaction type, once: the ledger binds each to its handler (and refuses a
 * handler without an entry here, or an entry without a handler), the SDK derives its builders
 * and payload types from it, the API and its OpenAPI document read it. A new type is an entry
 * here with its payload schema beside the others in `payloads/`.
 */
export const TX_TYPES = {
  "identity.register": {
    type: "identity.register",
    summary: "Binds a public key to an organization with roles.",
    payload: identityRegisterPayload,
    senders: [{ rule: "orgAdmin", orgField: "org" }],
    example: { key: EXAMPLE_KEY, org: "st-mary", roles: ["clinician"] },
  },
  "identity.revoke": {
    type: "identity.revoke",
    summary: "Revokes a registered key from the next block on.",
    payload: identityRevokePayload,
    senders: [
      { rule: "self", keyField: "key" },
      { rule: "keyOrgAdmin", keyField: "key" },
    ],
    example: { key: EXAMPLE_KEY },
  },
  "org.revokeAdmin": {
    type: "org.revokeAdmin",
    summary: "Removes an admin key of an organization at once (never the last one).",
    payload: orgRevokeAdminPayload,
    senders: [{ rule: "orgAdmin", orgField: "org" }],
    example: { org: "st-mary", key: EXAMPLE_KEY },
  },
  "gov.propose": {
    type: "gov.propose",
    summary: "Opens a governance proposal on behalf of an organization.",
    payload: govProposePayload,
    senders: [{ rule: "orgAdmin", orgField: "org" }],
    example: {
      org: "st-mary",
      change: { kind: "validator.remove", key: EXAMPLE_KEY },
      expiresAt: 1_700_000_000_000,
    },
  },
  "gov.vote": {
    type: "gov.vote",
    summary:
      "Votes for an organization on an open proposal; the receipt's result is the tally and status.",
    payload: govVotePayload,
    senders: [{ rule: "orgAdmin", orgField: "org" }],
    example: { proposal: "ab".repeat(32), org: "st-mary", approve: true },
  },
} satisfies Record<string, TxTypeContract>;

export type TxTypeName = keyof typeof TX_TYPES;

/** The payload a transaction type takes, derived from its schema. */
export type PayloadOf<T extends TxTypeName> = Static<(typeof TX_TYPES)[T]["payload"]["schema"]>;
