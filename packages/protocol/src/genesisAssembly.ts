import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { CareLedgerError } from "./errors.js";
import {
  ConsensusParamsSchema,
  type Genesis,
  GenesisSchema,
  type Organization,
  OrganizationSchema,
  parseGenesis,
} from "./genesis.js";
import type { MemberFile } from "./memberFile.js";

/**
 * What the consortium agrees on besides its members' files (`careledger genesis --params`): the
 * chain's name and time, the consensus parameters, and the member ids in the order genesis lists
 * them. Naming the members here makes a missing or an extra member file an error, and fixes
 * the order whatever order the files are given in.
 */
export const GenesisParamsSchema = Type.Object(
  {
    chainName: GenesisSchema.properties.chainName,
    genesisTime: GenesisSchema.properties.genesisTime,
    members: Type.Array(OrganizationSchema.properties.id, { minItems: 1, maxItems: 256 }),
    params: ConsensusParamsSchema,
  },
  { additionalProperties: false },
);

export type GenesisParams = Static<typeof GenesisParamsSchema>;

const paramsCheck = TypeCompiler.Compile(GenesisParamsSchema);

export function parseGenesisParams(value: unknown): GenesisParams {
  if (!paramsCheck.Check(value)) {
    const first = paramsCheck.Errors(value).First();
    throw new CareLedgerError("GENESIS_INVALID", `params ${first?.path || "/"}: ${first?.message}`);
  }
  if (new Set(value.members).size !== value.members.length) {
    throw new CareLedgerError("GENESIS_INVALID", "params.members names a member twice");
  }
  return value;
}

/**
 * The genesis of `members` (parsed member files, in any order) under `params`. Organizations
 * follow `params.members`; validators go round the members in that order, each member's first
 * node, then each one's second, ..., so consecutive primaries belong to different organizations
 * (and the devnet's node i is validator i). Every member file must be named in params and every
 * name have a file: GENESIS_INVALID says which.
 */
export function assembleGenesis(members: readonly MemberFile[], params: GenesisParams): Genesis {
  const byId = new Map<string, MemberFile>();
  for (const member of members) {
    if (byId.has(member.id)) {
      throw new CareLedgerError("GENESIS_INVALID", `two member files for ${member.id}`);
    }
    if (!params.members.includes(member.id)) {
      throw new CareLedgerError("GENESIS_INVALID", `member ${member.id} is not in params.members`);
    }
    byId.set(member.id, member);
  }
  const ordered = params.members.map((id) => {
    const member = byId.get(id);
    if (member === undefined) {
      throw new CareLedgerError("GENESIS_INVALID", `no member file for ${id} (params.members)`);
    }
    return member;
  });
  const rounds = Math.max(...ordered.map((member) => member.nodes.length));
  const nodes = Array.from({ length: rounds }, (_, round) =>
    ordered.flatMap((member) => member.nodes[round] ?? []),
  ).flat();
  return parseGenesis({
    chainName: params.chainName,
    genesisTime: params.genesisTime,
    organizations: ordered.map(organizationOf),
    validators: nodes.map((node) => node.nodeKey),
    params: params.params,
    peers: nodes.map((node) => ({ nodeKey: node.nodeKey, address: node.address })),
  });
}

function organizationOf(member: MemberFile): Organization {
  return {
    id: member.id,
    name: member.name,
    kind: member.kind,
    adminKeys: [...member.adminKeys],
    nodeKeys: member.nodes.map((node) => node.nodeKey),
    ...(member.gs1CompanyPrefixes !== undefined && {
      gs1CompanyPrefixes: [...member.gs1CompanyPrefixes],
    }),
    ...(member.gln !== undefined && { gln: member.gln }),
  };
}
