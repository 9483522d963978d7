import type { Reference } from "fhir/r4.js";
import { invariant } from "./invariant.js";
import { SYSTEM } from "./systems.js";

/**
 * How chain names become FHIR references. The patient of a consent or an access is
 * `Patient/<key hex>` (the key is the patient's only, pseudonymous, name). Any other key (a
 * grantee, a delegate, an accessor) is a logical reference, an identifier in `urn:careledger:key`
 * with no resource type: the chain knows a key's registered roles but not which FHIR resource
 * (Practitioner, RelatedPerson, Device) it would be, and no node serves one, so a literal
 * `Practitioner/<key>` would claim what we do not know. Organizations are `Organization/<id>`,
 * records `DocumentReference/<id>` (the content at the custodian is a document).
 */

const KEY_HEX = /^[0-9a-f]{64}$/;
const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

export function fhirId(id: string, what: string): string {
  invariant(FHIR_ID.test(id), `${what} ${JSON.stringify(id)} is not a FHIR id`);
  return id;
}

function keyHex(key: string): string {
  invariant(KEY_HEX.test(key), `key ${JSON.stringify(key)} is not 64 hex digits`);
  return key;
}

export function patientReference(key: string): Reference {
  return { reference: `Patient/${keyHex(key)}` };
}

export function keyReference(key: string): Reference {
  return { identifier: { system: SYSTEM.key, value: keyHex(key) } };
}

/** The patient's own key as the patient; any other key logically. */
export function personReference(key: string, patient: string): Reference {
  return key === patient ? patientReference(key) : keyReference(key);
}

export function organizationReference(org: string): Reference {
  return { reference: `Organization/${fhirId(org, "organization")}` };
}

export function recordReference(record: string, version?: number): Reference {
  const base = `DocumentReference/${fhirId(record, "record")}`;
  if (version === undefined) return { reference: base };
  invariant(Number.isSafeInteger(version) && version >= 1, `record version ${version} is not >= 1`);
  return { reference: `${base}/_history/${version}` };
}

/** The last millisecond FHIR can write: its instant and dateTime have four-digit years. */
export const FHIR_TIME_MS_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A chain time (ms since the epoch, UTC) as a FHIR instant / dateTime. */
export function instant(timeMs: number): string {
  invariant(
    Number.isSafeInteger(timeMs) && timeMs >= 0 && timeMs <= FHIR_TIME_MS_MAX,
    `time ${timeMs} is not a millisecond count FHIR can write`,
  );
  return new Date(timeMs).toISOString();
}
