import { type Static, Type } from "@sinclair/typebox";
import { ConsensusParamsSchema, ORG_ADMIN_KEYS_MAX, OrganizationSchema } from "../genesis.js";
import { PUBLIC_KEY_BYTES } from "../keys.js";
import { payloadChecker } from "./check.js";
import { OrganizationIdSchema } from "./identity.js";

/** Longest voting period a proposal may ask for: 30 days of header time. */
export const PROPOSAL_DURATION_MAX_MS = 30 * 24 * 3600 * 1000;

const publicKey = () =>
  Type.Uint8Array({ minByteLength: PUBLIC_KEY_BYTES, maxByteLength: PUBLIC_KEY_BYTES });

const CONSENSUS_PARAM_NAMES = Object.keys(ConsensusParamsSchema.properties) as Array<
  keyof typeof ConsensusParamsSchema.properties
>;

/** What a governance proposal changes once it passes. */
export const GovernanceChangeSchema = Type.Union([
  Type.Object(
    { kind: Type.Literal("org.add"), organization: OrganizationSchema },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal("org.remove"), org: OrganizationIdSchema },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal("org.admins"),
      org: OrganizationIdSchema,
      /** Keys that become admins of `org`, and admins that stop being: a rotation is both. */
      add: Type.Array(publicKey(), { maxItems: ORG_ADMIN_KEYS_MAX }),
      remove: Type.Array(publicKey(), { maxItems: ORG_ADMIN_KEYS_MAX }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal("validator.add"), key: publicKey(), org: OrganizationIdSchema },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal("validator.remove"), key: publicKey() },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal("param.set"),
      name: Type.Union(CONSENSUS_PARAM_NAMES.map((name) => Type.Literal(name))),
      value: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    },
    { additionalProperties: false },
  ),
]);

/**
 * `gov.propose`, sent by an admin of `org`. The proposal's id is the transaction's id; it expires
 * when a header's time passes `expiresAt` (ms) without enough votes.
 */
export const GovProposePayloadSchema = Type.Object(
  {
    org: OrganizationIdSchema,
    change: GovernanceChangeSchema,
    expiresAt: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
);

/** `gov.vote`, sent by an admin of `org`: one vote per organization and proposal. */
export const GovVotePayloadSchema = Type.Object(
  {
    proposal: Type.String({ pattern: "^[0-9a-f]{64}$" }),
    org: OrganizationIdSchema,
    approve: Type.Boolean(),
  },
  { additionalProperties: false },
);

export type GovernanceChange = Static<typeof GovernanceChangeSchema>;
export type GovProposePayload = Static<typeof GovProposePayloadSchema>;
export type GovVotePayload = Static<typeof GovVotePayloadSchema>;

export const govProposePayload = payloadChecker(GovProposePayloadSchema);
export const govVotePayload = payloadChecker(GovVotePayloadSchema);
