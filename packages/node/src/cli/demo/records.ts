import { Access, type RecordClass, Records } from "@careledger/sdk";
import type { People, Person } from "./identities.js";
import type { DemoWorld } from "./world.js";

/** The demo's records by what they hold (their ids). */
export interface UploadedRecords {
  readonly lab: string;
  readonly medication: string;
  readonly mentalHealth: string;
  readonly clinicLab: string;
  readonly allergy: string;
}

/** Made-up FHIR R4 resources: the custodian stores them encrypted, the chain sees none of it. */
const CONTENT: { readonly [Name in keyof UploadedRecords]: readonly [RecordClass, object] } = {
  lab: [
    "lab",
    {
      resourceType: "Observation",
      status: "final",
      code: { coding: [{ system: "http://loinc.org", code: "718-7", display: "Hemoglobin" }] },
      valueQuantity: { value: 13.9, unit: "g/dL" },
    },
  ],
  medication: [
    "medication",
    {
      resourceType: "MedicationRequest",
      status: "active",
      intent: "order",
      medicationCodeableConcept: { text: "Amoxicillin 500 mg capsule" },
      dosageInstruction: [{ text: "1 capsule three times a day for 7 days" }],
    },
  ],
  mentalHealth: [
    "mental-health",
    {
      resourceType: "Observation",
      status: "final",
      code: { coding: [{ system: "http://loinc.org", code: "44261-6", display: "PHQ-9 score" }] },
      valueInteger: 6,
    },
  ],
  clinicLab: [
    "lab",
    {
      resourceType: "Observation",
      status: "final",
      code: { coding: [{ system: "http://loinc.org", code: "2345-7", display: "Glucose" }] },
      valueQuantity: { value: 96, unit: "mg/dL" },
    },
  ],
  allergy: [
    "allergy",
    {
      resourceType: "AllergyIntolerance",
      clinicalStatus: { text: "active" },
      code: { text: "Penicillin" },
      criticality: "high",
    },
  ],
};

/** Whose record each one is. */
const PATIENT_OF: { readonly [Name in keyof UploadedRecords]: keyof People } = {
  lab: "patient",
  medication: "patient",
  mentalHealth: "patient",
  clinicLab: "revokingPatient",
  allergy: "emergencyPatient",
};

/**
 * The upload story: the hospital's clinician sends each record to the hospital's own node (its
 * custodian), which encrypts and keeps it; the chain gets only its anchor (`record.anchor`).
 */
export async function uploadRecords(world: DemoWorld, people: People): Promise<UploadedRecords> {
  const { clinician } = people;
  const node = world.nodeOf(clinician.org);
  const records = new Records(world.client(clinician.signer, node));
  const entries = await Promise.all(
    Object.entries(CONTENT).map(async ([name, [recordClass, resource]]) => {
      const patient = people[PATIENT_OF[name as keyof UploadedRecords]];
      const content = new TextEncoder().encode(JSON.stringify(resource));
      const { id } = await records.upload(content, {
        patient: patient.keys.publicKey,
        class: recordClass,
        custodian: clinician.org,
        ...world.commit,
      });
      return [name, id] as const;
    }),
  );
  return Object.fromEntries(entries) as unknown as UploadedRecords;
}

/** `reader`'s records helper on node 1 (any node takes the access.log; content is custodial). */
function recordsOf(world: DemoWorld, reader: Person): Records {
  return new Records(world.client(reader.signer, 1), { custodianNode: world.custodianNode });
}

/**
 * The reading story, each read an `access.log` decided on chain before the custodian releases
 * the content: the clinician and the pharmacist read under the demo patient's consents, the
 * exception stops the clinician at the mental-health record, the clinic reads the other
 * patient's record while its consent lasts.
 */
export async function readRecords(
  world: DemoWorld,
  people: People,
  records: UploadedRecords,
): Promise<void> {
  await Promise.all([
    recordsOf(world, people.clinician).read(records.lab, { purpose: "TREAT" }, world.commit),
    recordsOf(world, people.pharmacist).read(
      records.medication,
      { purpose: "TREAT" },
      world.commit,
    ),
    recordsOf(world, people.clinicClinician).read(
      records.clinicLab,
      { purpose: "TREAT" },
      world.commit,
    ),
    expectDenied(world, people.clinician, records.mentalHealth),
  ]);
}

/** After the revoke: the clinic's next access to the other patient's record is denied. */
export function readAfterRevoke(
  world: DemoWorld,
  people: People,
  records: UploadedRecords,
): Promise<void> {
  return expectDenied(world, people.clinicClinician, records.clinicLab);
}

/**
 * The emergency story: a physician of the other hospital, under no consent, breaks the glass
 * (purpose BTG) on the third patient's allergy record; the read is permitted, flagged for the
 * hospital's review and shown in the patient's history.
 */
export async function breakTheGlass(
  world: DemoWorld,
  people: People,
  records: UploadedRecords,
): Promise<void> {
  await recordsOf(world, people.emergencyPhysician).read(
    records.allergy,
    { purpose: "BTG" },
    world.commit,
  );
}

/** Logs an access the consents forbid; a permit would mean the story no longer shows a deny. */
async function expectDenied(world: DemoWorld, reader: Person, record: string): Promise<void> {
  const access = new Access(world.client(reader.signer, 1));
  const { result } = await access.log(record, { purpose: "TREAT" }, world.commit);
  if (result.decision !== "deny") {
    throw new Error(`the demo expected a deny for record ${record}, got ${result.decision}`);
  }
}
