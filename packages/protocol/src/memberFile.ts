import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { CareLedgerError } from "./errors.js";
import { GenesisPeerSchema, OrganizationSchema } from "./genesis.js";

export const MEMBER_FILE_FORMAT = "careledger-member";

/**
 * What one organization publishes for the consortium's genesis (`careledger init` writes it):
 * who it is and its public keys only, never a secret. `nodes` are its validators with the
 * addresses they announce; an organization that takes part through others' APIs runs none.
 */
export const MemberFileSchema = Type.Object(
  {
    format: Type.Literal(MEMBER_FILE_FORMAT),
    version: Type.Literal(1),
    id: OrganizationSchema.properties.id,
    name: OrganizationSchema.properties.name,
    kind: OrganizationSchema.properties.kind,
    adminKeys: OrganizationSchema.properties.adminKeys,
    nodes: Type.Array(GenesisPeerSchema, { maxItems: 16 }),
    gs1CompanyPrefixes: OrganizationSchema.properties.gs1CompanyPrefixes,
    gln: OrganizationSchema.properties.gln,
  },
  { additionalProperties: false },
);

export type MemberFile = Static<typeof MemberFileSchema>;

const memberCheck = TypeCompiler.Compile(MemberFileSchema);

/** Validates a parsed member file: the schema, and no node or admin key listed twice. */
export function parseMemberFile(value: unknown): MemberFile {
  if (!memberCheck.Check(value)) {
    const first = memberCheck.Errors(value).First();
    throw new CareLedgerError(
      "MEMBER_FILE_INVALID",
      `${first?.path || "/"}: ${first?.message ?? ""}`,
    );
  }
  const nodeKeys = value.nodes.map((node) => node.nodeKey);
  if (new Set(nodeKeys).size !== nodeKeys.length) {
    throw new CareLedgerError("MEMBER_FILE_INVALID", `${value.id} lists a node key twice`);
  }
  if (new Set(value.adminKeys).size !== value.adminKeys.length) {
    throw new CareLedgerError("MEMBER_FILE_INVALID", `${value.id} lists an admin key twice`);
  }
  return value;
}
