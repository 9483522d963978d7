import { type Static, Type } from "@sinclair/typebox";
import { PUBLIC_KEY_BYTES } from "../keys.js";
import { payloadChecker } from "./check.js";

/**
 * The roles an identity can hold (DOMAIN.md). A patient is only a key. `operator` is a member
 * organization's node and back-office operator (raw reads, like its admins; contract/caller.ts);
 * `staff` is a business role (front desk, billing) with no raw reads.
 */
export const IDENTITY_ROLES = [
  "clinician",
  "staff",
  "operator",
  "insurer-agent",
  "manufacturer",
  "distributor",
  "pharmacist",
  "regulator",
  "device",
  "patient",
] as const;

export type IdentityRole = (typeof IDENTITY_ROLES)[number];

const publicKey = () =>
  Type.Uint8Array({ minByteLength: PUBLIC_KEY_BYTES, maxByteLength: PUBLIC_KEY_BYTES });

export const OrganizationIdSchema = Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,63}$" });

const registerSchema = (uniqueItems: boolean) =>
  Type.Object(
    {
      key: publicKey(),
      org: OrganizationIdSchema,
      roles: Type.Array(Type.Union(IDENTITY_ROLES.map((role) => Type.Literal(role))), {
        minItems: 1,
        maxItems: IDENTITY_ROLES.length,
        ...(uniqueItems ? { uniqueItems } : {}),
      }),
    },
    { additionalProperties: false },
  );

/** `identity.register`, sent by an admin of `org`: binds `key` to `org` with `roles`. */
export const IdentityRegisterPayloadSchema = registerSchema(true);

/** `identity.revoke`, sent by the key itself or an admin of its organization. */
export const IdentityRevokePayloadSchema = Type.Object(
  { key: publicKey() },
  { additionalProperties: false },
);

/**
 * `org.revokeAdmin`, sent by an admin of `org` (another one, or the key itself): `key` stops being
 * an admin of `org` at once. The last admin key cannot be removed.
 */
export const OrgRevokeAdminPayloadSchema = Type.Object(
  { org: OrganizationIdSchema, key: publicKey() },
  { additionalProperties: false },
);

export type OrgRevokeAdminPayload = Static<typeof OrgRevokeAdminPayloadSchema>;
export type IdentityRegisterPayload = Static<typeof IdentityRegisterPayloadSchema>;
export type IdentityRevokePayload = Static<typeof IdentityRevokePayloadSchema>;

export const identityRegisterPayload = payloadChecker(IdentityRegisterPayloadSchema, {
  compiled: registerSchema(false),
  refine: ({ roles }) =>
    new Set(roles).size === roles.length
      ? undefined
      : "/roles: Expected array elements to be unique",
});
export const identityRevokePayload = payloadChecker(IdentityRevokePayloadSchema);
export const orgRevokeAdminPayload = payloadChecker(OrgRevokeAdminPayloadSchema);
