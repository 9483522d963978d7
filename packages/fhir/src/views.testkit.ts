import type { AccessEntry, ConsentView } from "@careledger/protocol";

/** Views as the ledger's queries answer them, for the rendering tests. */

/** A distinct 64-hex key per seed. */
export const key = (seed: number): string => seed.toString(16).padStart(2, "0").repeat(32);
export const id128 = (seed: number): string => seed.toString(16).padStart(2, "0").repeat(16);

export const PATIENT = key(0x11);
export const DELEGATE = key(0x22);
export const CLINICIAN = key(0x33);
export const HOSPITAL = "st-mary";
export const CLINIC = "north-clinic";

/** 2026-12-01T08:00:00Z and a year later. */
export const GRANTED_AT = Date.UTC(2026, 11, 1, 8);
export const YEAR_LATER = Date.UTC(2027, 11, 1, 8);

export function consentView(overrides: Partial<ConsentView> = {}): ConsentView {
  return {
    id: id128(0xc1),
    patient: PATIENT,
    grantee: { org: HOSPITAL },
    actions: ["access", "use"],
    purposes: ["TREAT"],
    classes: ["lab", "imaging"],
    period: { start: GRANTED_AT, end: YEAR_LATER },
    status: "active",
    expired: false,
    granted: { height: 120, time: GRANTED_AT, by: PATIENT },
    ...overrides,
  };
}

export function accessEntry(overrides: Partial<AccessEntry> = {}): AccessEntry {
  return {
    decision: "permit",
    reason: "consent",
    consent: id128(0xc1),
    breakGlass: false,
    accessor: CLINICIAN,
    accessorOrg: HOSPITAL,
    patient: PATIENT,
    record: id128(0xa1),
    version: 2,
    class: "lab",
    custodian: CLINIC,
    action: "access",
    purpose: "TREAT",
    access: key(0xe1),
    height: 130,
    time: GRANTED_AT + 3_600_000,
    ...overrides,
  };
}
