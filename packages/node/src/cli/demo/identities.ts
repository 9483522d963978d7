import {
  generateKeyPair,
  type IdentityRole,
  type KeyPair,
  keySigner,
  type Signer,
} from "@careledger/sdk";
import { DEVNET_ORG } from "../devnetConsortium.js";
import type { DemoWorld } from "./world.js";

/** A registered demo key: who it is, where, and its signer. */
export interface Person {
  readonly keys: KeyPair;
  readonly signer: Signer;
  readonly org: string;
  readonly roles: readonly IdentityRole[];
}

/**
 * Everyone the demo's stories act as. Patients are keys only (DOMAIN.md), registered at the
 * hospital that holds their records; `patient` is the demo patient whose key the console loads.
 */
export interface People {
  /** The demo patient: consents with exceptions, three records, one denied read. */
  readonly patient: Person;
  /** A patient who granted the clinic access and revoked it. */
  readonly revokingPatient: Person;
  /** A patient with no consent at all, whose record an emergency physician reaches. */
  readonly emergencyPatient: Person;
  /**
   * The demo patient's key for its insurance only (DOMAIN.md: never the consent key, so claims
   * join nothing to consents and records), registered at the insurer to read its claims.
   */
  readonly member: Person;
  /** The demo clinician, at the hospital that holds the records. */
  readonly clinician: Person;
  readonly clinicClinician: Person;
  /** At the other hospital, which runs no node: breaks the glass. */
  readonly emergencyPhysician: Person;
  /** The demo pharmacist. */
  readonly pharmacist: Person;
  readonly insurerAgent: Person;
  readonly manufacturer: Person;
  readonly distributor: Person;
  readonly regulator: Person;
}

const CAST: { readonly [Name in keyof People]: readonly [string, readonly IdentityRole[]] } = {
  patient: [DEVNET_ORG.hospital, ["patient"]],
  revokingPatient: [DEVNET_ORG.hospital, ["patient"]],
  emergencyPatient: [DEVNET_ORG.hospital, ["patient"]],
  member: [DEVNET_ORG.insurer, ["patient"]],
  clinician: [DEVNET_ORG.hospital, ["clinician"]],
  clinicClinician: [DEVNET_ORG.clinic, ["clinician"]],
  emergencyPhysician: [DEVNET_ORG.otherHospital, ["clinician"]],
  pharmacist: [DEVNET_ORG.pharmacy, ["pharmacist"]],
  insurerAgent: [DEVNET_ORG.insurer, ["insurer-agent"]],
  manufacturer: [DEVNET_ORG.manufacturer, ["manufacturer"]],
  distributor: [DEVNET_ORG.distributor, ["distributor"]],
  regulator: [DEVNET_ORG.regulator, ["regulator"]],
};

/**
 * The identities story: each organization's admin registers its people (`identity.register`),
 * all at once, each waited for until it committed.
 */
export async function registerPeople(world: DemoWorld): Promise<People> {
  const entries = await Promise.all(
    Object.entries(CAST).map(async ([name, [org, roles]]) => {
      const keys = generateKeyPair();
      const admin = await world.admin(org);
      const client = world.client(admin);
      const builder = await client.txBuilder(admin);
      const tx = builder.build(
        "identity.register",
        { key: keys.publicKey, org, roles: [...roles] },
        await client.expiresAfter(),
      );
      await client.submitAndWait(tx, world.commit);
      const person: Person = { keys, signer: keySigner(keys.secretKey), org, roles };
      return [name, person] as const;
    }),
  );
  return Object.fromEntries(entries) as unknown as People;
}
