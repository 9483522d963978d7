import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { type Canonical, encode } from "./encoding.js";
import { CareLedgerError } from "./errors.js";
import { fromHex, sha256 } from "./hash.js";
import { VALIDATORS_MAX, VALIDATORS_MIN } from "./limits.js";
import { assertValidatorSet, type ValidatorSet } from "./validators.js";

const hexKey = () => Type.String({ pattern: "^[0-9a-f]{64}$" });
const positive = (maximum: number) => Type.Integer({ minimum: 1, maximum });

export const ORGANIZATION_KINDS = [
  "hospital",
  "clinic",
  "lab",
  "insurer",
  "manufacturer",
  "distributor",
  "pharmacy",
  "regulator",
  "licensing-body",
] as const;

/** Most admin keys one organization lists. */
export const ORG_ADMIN_KEYS_MAX = 16;

export const OrganizationSchema = Type.Object(
  {
    id: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,63}$" }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Type.Union(ORGANIZATION_KINDS.map((kind) => Type.Literal(kind))),
    adminKeys: Type.Array(hexKey(), { minItems: 1, maxItems: ORG_ADMIN_KEYS_MAX }),
    nodeKeys: Type.Array(hexKey(), { maxItems: 16 }),
    gs1CompanyPrefixes: Type.Optional(
      Type.Array(Type.String({ pattern: "^[0-9]{6,12}$" }), { maxItems: 32 }),
    ),
    /** The organization's GS1 Global Location Number: `responderGLN` in verification answers. */
    gln: Type.Optional(Type.String({ pattern: "^[0-9]{13}$" })),
  },
  { additionalProperties: false },
);

export const ConsensusParamsSchema = Type.Object(
  {
    /** Heights between checkpoints (K). */
    checkpointInterval: positive(10_000),
    /** Heights that may be in flight at once (pipelining). */
    window: positive(64),
    /** The primary proposes an empty block after this long without transactions. */
    emptyBlockIntervalMs: positive(3_600_000),
    /** An admitted transaction not committed within this long triggers a view change. */
    requestTimeoutMs: positive(3_600_000),
    /** The first view-change timeout; it grows on repeated view changes. */
    viewChangeTimeoutMs: positive(3_600_000),
    /** How far ahead of a validator's clock a header's time may be. */
    clockSkewMaxMs: positive(3_600_000),
    /** Most transactions the primary puts in one block. */
    blockTxsMax: positive(10_000),
  },
  { additionalProperties: false },
);

const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const PORT =
  "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";
/** A p2p multiaddr a node is dialled at: `/ip4/A.B.C.D/tcp/P`. */
export const P2P_ADDRESS_PATTERN = `^/ip4/${OCTET}(\\.${OCTET}){3}/tcp/${PORT}$`;

/** A genesis node and the address it announced in its member file. */
export const GenesisPeerSchema = Type.Object(
  { nodeKey: hexKey(), address: Type.String({ pattern: P2P_ADDRESS_PATTERN }) },
  { additionalProperties: false },
);

/** The genesis document, as its JSON file holds it (keys as lowercase hex). */
export const GenesisSchema = Type.Object(
  {
    chainName: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,63}$" }),
    genesisTime: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    organizations: Type.Array(OrganizationSchema, { minItems: 1, maxItems: 256 }),
    /** Node keys of the validators, in order: the primary of view v is validators[v mod n]. */
    validators: Type.Array(hexKey(), { minItems: VALIDATORS_MIN, maxItems: VALIDATORS_MAX }),
    params: ConsensusParamsSchema,
    /**
     * Where the genesis nodes are dialled, from the member files of the ceremony (`careledger
     * genesis`); a node whose config lists no peers dials these. Absent in genesis files
     * written before the ceremony.
     */
    peers: Type.Optional(Type.Array(GenesisPeerSchema, { maxItems: VALIDATORS_MAX })),
  },
  { additionalProperties: false },
);

export type GenesisPeer = Static<typeof GenesisPeerSchema>;
export type Organization = Static<typeof OrganizationSchema>;
export type ConsensusParams = Static<typeof ConsensusParamsSchema>;
export type Genesis = Static<typeof GenesisSchema>;

const genesisCheck = TypeCompiler.Compile(GenesisSchema);

/**
 * Validates a parsed genesis file: the schema, unique organization ids, every validator key
 * listed as some organization's node key, no duplicate validator, every peer an organization's
 * node listed once.
 */
export function parseGenesis(value: unknown): Genesis {
  if (!genesisCheck.Check(value)) {
    const first = genesisCheck.Errors(value).First();
    throw new CareLedgerError("GENESIS_INVALID", `${first?.path ?? ""}: ${first?.message ?? ""}`);
  }
  const ids = new Set(value.organizations.map((org) => org.id));
  if (ids.size !== value.organizations.length) {
    throw new CareLedgerError("GENESIS_INVALID", "duplicate organization id");
  }
  const nodeKeys = new Set(value.organizations.flatMap((org) => org.nodeKeys));
  for (const key of value.validators) {
    if (!nodeKeys.has(key)) {
      throw new CareLedgerError("GENESIS_INVALID", `validator ${key} is no organization's node`);
    }
  }
  const peerKeys = new Set<string>();
  for (const peer of value.peers ?? []) {
    if (!nodeKeys.has(peer.nodeKey)) {
      throw new CareLedgerError(
        "GENESIS_INVALID",
        `peer ${peer.nodeKey} is no organization's node`,
      );
    }
    if (peerKeys.has(peer.nodeKey)) {
      throw new CareLedgerError("GENESIS_INVALID", `peer ${peer.nodeKey} is listed twice`);
    }
    peerKeys.add(peer.nodeKey);
  }
  assertValidatorSet(genesisValidators(value));
  return value;
}

/** The chain id: the SHA-256 of the genesis document's canonical encoding. */
export function chainIdOf(genesis: Genesis): Uint8Array {
  return sha256(encode(genesis as unknown as Canonical));
}

export function genesisValidators(genesis: Genesis): ValidatorSet {
  return genesis.validators.map((key) => fromHex(key, 32));
}
