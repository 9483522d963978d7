import { type Static, Type } from "@sinclair/typebox";
import { ConsensusParamsSchema, OrganizationSchema } from "../genesis.js";
import { GovernanceChangeSchema } from "../payloads/governance.js";
import { IDENTITY_ROLES, OrganizationIdSchema } from "../payloads/identity.js";
import { CLAIM_QUERIES } from "./claimQueries.js";
import { CONSENT_QUERIES } from "./consentQueries.js";
import { PROVENANCE_QUERIES } from "./provenanceQueries.js";
import { pagedQuery, type QueryContract, singleQuery } from "./queryContract.js";
import { RECORD_QUERIES } from "./recordQueries.js";

const KeyHex = Type.String({ pattern: "^[0-9a-f]{64}$" });
const Height = Type.Integer({ minimum: 0 });

/** A registered key as the identity module stores it; `revokedAt` is the revoking height. */
export const IdentityRecordSchema = Type.Object(
  {
    org: OrganizationIdSchema,
    roles: Type.Array(Type.Union(IDENTITY_ROLES.map((role) => Type.Literal(role)))),
    registeredAt: Height,
    revokedAt: Type.Optional(Height),
  },
  { additionalProperties: false },
);

export const ProposalStatusSchema = Type.Union([
  Type.Literal("open"),
  Type.Literal("passed"),
  Type.Literal("rejected"),
  Type.Literal("expired"),
]);

/** A governance proposal; an open one past its expiry reads as `expired`. */
export const ProposalSchema = Type.Object(
  {
    id: KeyHex,
    org: OrganizationIdSchema,
    proposer: KeyHex,
    change: GovernanceChangeSchema,
    createdAt: Height,
    expiresAt: Type.Integer({ minimum: 0 }),
    votes: Type.Record(Type.String(), Type.Boolean()),
    status: ProposalStatusSchema,
    decidedAt: Type.Optional(Height),
    effectiveAt: Type.Optional(Height),
  },
  { additionalProperties: false },
);

/** A consensus change decided and waiting for its height. */
const ScheduledChangeSchema = Type.Object(
  { height: Height, proposal: KeyHex, change: GovernanceChangeSchema },
  { additionalProperties: false },
);

/**
 * Access (DOMAIN.md "Who sees what"; `member-staff` and `operator` as contract/caller.ts defines
 * them): who a key is, for the key itself, operators and the staff of the key's own organization
 * (a patient's key links to its hospital for nobody else); an organization's roster, for its
 * admins and operators (both hold it already: the admins registered every key, operators hold
 * the raw identity state), so patients' and devices' keys are listed there and nowhere else; the
 * consortium's governance, for any member organization's people; the directory of organizations,
 * for any registered identity (a patient's app names grantees from it). The node reads these
 * internally without access checks; public reads are status, headers and product verification.
 */
export const QUERIES = {
  "identity.key": singleQuery({
    name: "identity.key",
    summary: "Who a key is: its registration, the organizations it administers, whether revoked.",
    params: { key: KeyHex },
    result: Type.Object(
      {
        key: KeyHex,
        identity: Type.Union([IdentityRecordSchema, Type.Null()]),
        adminOf: Type.Array(OrganizationIdSchema),
        revoked: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    access: [
      { rule: "self", keyParam: "key" },
      { rule: "operator" },
      { rule: "query", says: "an admin or staff of the key's own organization" },
    ],
  }),
  "identity.organizations": pagedQuery({
    name: "identity.organizations",
    summary: "The member organizations, in id order.",
    params: {},
    item: OrganizationSchema,
    access: [{ rule: "member" }],
  }),
  "identity.organization": singleQuery({
    name: "identity.organization",
    summary: "One member organization, or null.",
    params: { id: OrganizationIdSchema },
    result: Type.Union([OrganizationSchema, Type.Null()]),
    access: [{ rule: "member" }],
  }),
  "identity.members": pagedQuery({
    name: "identity.members",
    summary: "The keys registered to an organization, in key order, from a node-local index.",
    params: { org: OrganizationIdSchema },
    item: Type.Object(
      { key: KeyHex, record: IdentityRecordSchema, revoked: Type.Boolean() },
      { additionalProperties: false },
    ),
    access: [{ rule: "admin", orgParam: "org" }, { rule: "operator" }],
  }),
  "gov.proposal": singleQuery({
    name: "gov.proposal",
    summary: "One governance proposal with its votes, or null.",
    params: { id: KeyHex },
    result: Type.Union([ProposalSchema, Type.Null()]),
    access: [{ rule: "member-staff" }],
  }),
  "gov.proposals": pagedQuery({
    name: "gov.proposals",
    summary: "Governance proposals, in id order.",
    params: {},
    item: ProposalSchema,
    access: [{ rule: "member-staff" }],
  }),
  "consensus.config": singleQuery({
    name: "consensus.config",
    summary: "The validator set and consensus parameters at the head, and scheduled changes.",
    params: {},
    result: Type.Object(
      {
        validators: Type.Array(KeyHex),
        params: ConsensusParamsSchema,
        scheduled: Type.Array(ScheduledChangeSchema),
      },
      { additionalProperties: false },
    ),
    access: [{ rule: "member-staff" }],
  }),
  ...CONSENT_QUERIES,
  ...RECORD_QUERIES,
  ...CLAIM_QUERIES,
  ...PROVENANCE_QUERIES,
} satisfies Record<string, QueryContract>;

export type QueryName = keyof typeof QUERIES;
export type IdentityRecordView = Static<typeof IdentityRecordSchema>;
export type ProposalView = Static<typeof ProposalSchema>;
