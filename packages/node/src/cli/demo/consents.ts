import { Consents } from "@careledger/sdk";
import { DEVNET_ORG } from "../devnetConsortium.js";
import type { People } from "./identities.js";
import type { DemoWorld } from "./world.js";

/** The consents the stories after this one read under, by what they are for. */
export interface GrantedConsents {
  /** The demo patient's to the hospital: treatment, except mental and sexual health. */
  readonly hospital: string;
  /** The demo patient's to the pharmacy: its medication records. */
  readonly pharmacy: string;
  /** The other patient's to the clinic, revoked later in the story. */
  readonly clinic: string;
}

/**
 * The consent story, each patient signing its own grants (`consent.grant`): the demo patient
 * lets the hospital treat it with exceptions (nested deny provisions) and the pharmacy see its
 * medication; another patient lets the clinic read its records. The third patient grants
 * nothing: only breaking the glass reaches its record.
 */
export async function grantConsents(world: DemoWorld, people: People): Promise<GrantedConsents> {
  const patient = new Consents(world.client(people.patient.signer));
  const other = new Consents(world.client(people.revokingPatient.signer));
  const [hospital, pharmacy, clinic] = await Promise.all([
    patient.grant(
      {
        grantee: { org: DEVNET_ORG.hospital },
        actions: ["access", "use"],
        purposes: ["TREAT"],
        deny: [{ classes: ["mental-health", "sexual-health"] }],
      },
      world.commit,
    ),
    patient.grant(
      {
        grantee: { org: DEVNET_ORG.pharmacy },
        actions: ["access"],
        purposes: ["TREAT"],
        classes: ["medication"],
      },
      world.commit,
    ),
    other.grant(
      { grantee: { org: DEVNET_ORG.clinic }, actions: ["access"], purposes: ["TREAT"] },
      world.commit,
    ),
  ]);
  return { hospital, pharmacy, clinic };
}

/** The other patient changes its mind: the clinic's consent is revoked from the next block on. */
export async function revokeClinicConsent(
  world: DemoWorld,
  people: People,
  consents: GrantedConsents,
): Promise<void> {
  const other = new Consents(world.client(people.revokingPatient.signer));
  await other.revoke(consents.clinic, world.commit);
}
