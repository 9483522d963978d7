/**
 * The people and things of the healthcare mix: who signs what, in the devnet's demo consortium
 * (`writeDevnetLayout({ consortium: true })`: hospitals, a clinic, an insurer, a manufacturer
 * with its GS1 company prefix, a distributor, a pharmacy). Keys live in the load generator only.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { gs1CheckDigit } from "@careledger/gs1";
import { nodeCryptoSigner } from "@careledger/node";
import { adminKeyFileOf, DEVNET_COMPANY_PREFIX, DEVNET_ORG } from "@careledger/node/devnet";
import { fromHex, type Genesis, type Signer } from "@careledger/protocol";
import { freshSigner } from "../txMix.js";

/** Care providers whose clinicians anchor records, log accesses and submit claims. */
export const PROVIDERS = [DEVNET_ORG.hospital, DEVNET_ORG.clinic, DEVNET_ORG.otherHospital];
/** Clinicians registered by the preload, spread over the providers. */
export const CLINICIANS = 300;
export const PLAN_ID = "bench-plan";
export const DAY_MS = 86_400_000;
/** The one product of the mix, under the devnet manufacturer's prefix. */
export const GTIN = withCheckDigit(`0${DEVNET_COMPANY_PREFIX}000001`);
export const LOT = "BENCH1";
export const EXPIRY = "301231";

export function withCheckDigit(body: string): string {
  return `${body}${gs1CheckDigit(body)}`;
}

/** SSCC number `n`: extension digit 1, the company prefix, a 10-digit serial reference. */
export function ssccOf(n: number): string {
  return withCheckDigit(`1${DEVNET_COMPANY_PREFIX}${String(n).padStart(10, "0")}`);
}

/** 128 random bits as hex: record, consent, coverage and claim ids. */
export const randomId = () => randomBytes(16).toString("hex");

export interface Person {
  readonly signer: Signer;
  readonly org: string;
}

export interface Member {
  readonly coverage: string;
  /** A member key never signs (the provider names it), so random bytes serve. */
  readonly key: Uint8Array;
}

/** Everything the preload put on chain that a step's transactions refer to. */
export interface World {
  readonly chain: Uint8Array;
  readonly genesisTime: number;
  readonly admins: ReadonlyMap<string, Signer>;
  readonly clinicians: readonly Person[];
  readonly insurerAgent: Person;
  readonly maker: Person;
  readonly wholesaler: Person;
  readonly patients: Signer[];
  /** Preloaded record ids, one per patient (index i is patient i's). */
  readonly records: string[];
  readonly members: Member[];
  /** Serials and SSCCs issued so far: every new one is above them, on every cluster. */
  serials: number;
  ssccs: number;
}

async function adminOf(dir: string, genesis: Genesis, org: string): Promise<Signer> {
  const hex = (await readFile(adminKeyFileOf(dir, genesis, org), "utf8")).trim();
  return nodeCryptoSigner(fromHex(hex, 32));
}

/** The devnet's org admins and fresh keys for the people the preload registers. */
export async function createWorld(
  dir: string,
  genesis: Genesis,
  chain: Uint8Array,
): Promise<World> {
  const admins = new Map<string, Signer>();
  for (const org of genesis.organizations) admins.set(org.id, await adminOf(dir, genesis, org.id));
  return {
    chain,
    genesisTime: genesis.genesisTime,
    admins,
    clinicians: Array.from({ length: CLINICIANS }, (_, i) => ({
      signer: freshSigner(),
      org: PROVIDERS[i % PROVIDERS.length] as string,
    })),
    insurerAgent: { signer: freshSigner(), org: DEVNET_ORG.insurer },
    maker: { signer: freshSigner(), org: DEVNET_ORG.manufacturer },
    wholesaler: { signer: freshSigner(), org: DEVNET_ORG.distributor },
    patients: [],
    records: [],
    members: [],
    serials: 0,
    ssccs: 0,
  };
}

/** The next `count` serials (8 digits, never reused). */
export function nextSerials(world: World, count: number): string[] {
  const first = world.serials;
  world.serials += count;
  return Array.from({ length: count }, (_, i) => String(first + i + 1).padStart(8, "0"));
}

export function nextSscc(world: World): string {
  world.ssccs += 1;
  return ssccOf(world.ssccs);
}

/** A uniform pick from a non-empty list. */
export function pick<T>(list: readonly T[]): T {
  const item = list[Math.floor(Math.random() * list.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

export function adminOfOrg(world: World, org: string): Signer {
  const admin = world.admins.get(org);
  if (admin === undefined) throw new Error(`no admin key for ${org}`);
  return admin;
}
