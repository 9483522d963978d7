/**
 * The transactions of the healthcare mix and of its preload, signed through the SDK's `buildTx`
 * (each payload checked against its schema before it is signed).
 */
import { randomBytes } from "node:crypto";
import { buildTx, type PayloadOf, type Signer, type TxTypeName } from "@careledger/sdk";
import { type PreparedTx, prepared } from "../txMix.js";
import {
  DAY_MS,
  EXPIRY,
  GTIN,
  LOT,
  type Member,
  type Person,
  PLAN_ID,
  pick,
  type World,
} from "./world.js";

export function sign<T extends TxTypeName>(
  world: World,
  type: T,
  payload: PayloadOf<T>,
  by: Signer,
  expires: number,
): PreparedTx {
  return prepared(type, buildTx(type, payload, by, { chainId: world.chain, expires }));
}

/** Service codes of the plan: an office visit (copay only) and coinsurance services. */
export const VISIT_CODE = "99213";
const SERVICE_CODES = ["80053", "85025", "71046", "93000", "36415", "81001"];
const VISIT_ALLOWED = 12_000;
const VISIT_COPAY = 2_500;
/**
 * What every claim of the mix has payable at least, whatever the member's accumulators: its
 * visit line is copay only (no deductible, no coinsurance), billed above the allowed amount, so
 * it pays allowed - copay or, past the out-of-pocket maximum, more. `claim.pay` pays this.
 */
export const CLAIM_PAYABLE_MIN = VISIT_ALLOWED - VISIT_COPAY;

/** The insurer's plan: a deductible and coinsurance, so claims move the accumulators. */
export function planPayload(world: World): PayloadOf<"plan.register"> {
  return {
    id: PLAN_ID,
    insurer: world.insurerAgent.org,
    name: "Bench plan",
    currency: "USD",
    period: { start: world.genesisTime - 180 * DAY_MS, end: world.genesisTime + 185 * DAY_MS },
    terms: {
      deductible: 50_000,
      coinsuranceBp: 2_000,
      outOfPocketMax: 600_000,
      timelyFilingDays: 365,
      disputeWindowDays: 90,
      rules: [
        {
          code: VISIT_CODE,
          allowedPerUnit: VISIT_ALLOWED,
          copay: VISIT_COPAY,
          copayOnly: true,
          preauth: false,
        },
        ...SERVICE_CODES.map((code, i) => ({
          code,
          allowedPerUnit: 5_000 + i * 1_500,
          copayOnly: false,
          preauth: false,
        })),
      ],
    },
  };
}

export function enrollTx(world: World, member: Member, expires: number): PreparedTx {
  const payload = {
    id: member.coverage,
    insurer: world.insurerAgent.org,
    plan: PLAN_ID,
    member: member.key,
    period: { start: world.genesisTime - 180 * DAY_MS },
  };
  return sign(world, "coverage.enroll", payload, world.insurerAgent.signer, expires);
}

/** A consent of `patient` for one clinician (key grant) or, one in four, its organization. */
export function grantTx(world: World, patient: Signer, id: string, expires: number): PreparedTx {
  const clinician = pick(world.clinicians);
  const grantee =
    Math.random() < 0.25 ? { org: clinician.org } : { key: clinician.signer.publicKey };
  const payload: PayloadOf<"consent.grant"> = {
    id,
    patient: patient.publicKey,
    grantee,
    actions: ["access", "use"],
    purposes: ["TREAT"],
    period: { start: world.genesisTime },
    ...(Math.random() < 0.25 && { deny: [{ classes: ["mental-health" as const] }] }),
  };
  return sign(world, "consent.grant", payload, patient, expires);
}

export function revokeTx(world: World, patient: Signer, id: string, expires: number): PreparedTx {
  const payload = { id, patient: patient.publicKey };
  return sign(world, "consent.revoke", payload, patient, expires);
}

const CLASSES = ["note", "lab", "imaging", "medication", "vital-signs"] as const;

/** Version 1 of a record of `patient`, anchored by a clinician of its custodian. */
export function anchorTx(
  world: World,
  patient: Signer,
  id: string,
  by: Person,
  expires: number,
): PreparedTx {
  const payload = {
    id,
    patient: patient.publicKey,
    class: pick(CLASSES),
    custodian: by.org,
    hash: new Uint8Array(randomBytes(32)),
  };
  return sign(world, "record.anchor", payload, by.signer, expires);
}

/** A clinician logs an access to a record before reading it (5% emergencies). */
export function accessTx(world: World, expires: number): PreparedTx {
  const payload: PayloadOf<"access.log"> = {
    record: pick(world.records),
    purpose: Math.random() < 0.05 ? "ETREAT" : "TREAT",
    action: "access",
  };
  return sign(world, "access.log", payload, pick(world.clinicians).signer, expires);
}

let claims = 0;

/**
 * A claim of three lines: the office visit and two coinsurance services, for a member's
 * coverage, by a clinician of the provider. A unit price unique to the claim keeps it from
 * duplicating another (a duplicate pays nothing).
 */
export function claimPayload(world: World, id: string, by: Person): PayloadOf<"claim.submit"> {
  const member = pick(world.members);
  claims += 1;
  return {
    id,
    provider: by.org,
    coverage: member.coverage,
    member: member.key,
    type: "professional" as const,
    serviceDate: world.genesisTime - Math.floor(Math.random() * 60) * DAY_MS,
    items: [
      { code: VISIT_CODE, quantity: 1, unitPrice: 20_000 },
      { code: pick(SERVICE_CODES), quantity: 1 + (claims % 3), unitPrice: 9_000 + claims },
      { code: pick(SERVICE_CODES), quantity: 1, unitPrice: 30_000 },
    ],
    diagnoses: [new Uint8Array(randomBytes(32))],
    evidence: [],
  };
}

export function claimTx(world: World, id: string, expires: number): PreparedTx {
  const clinician = pick(world.clinicians);
  const payload = claimPayload(world, id, clinician);
  return sign(world, "claim.submit", payload, clinician.signer, expires);
}

export function payTx(world: World, claim: string, expires: number): PreparedTx {
  const payload = {
    claim,
    insurer: world.insurerAgent.org,
    amount: CLAIM_PAYABLE_MIN,
    reference: new Uint8Array(randomBytes(32)),
  };
  return sign(world, "claim.pay", payload, world.insurerAgent.signer, expires);
}

export function commissionTx(world: World, serials: string[], expires: number): PreparedTx {
  const payload = { gtin: GTIN, manufacturer: world.maker.org, lot: LOT, expiry: EXPIRY, serials };
  return sign(world, "pack.commission", payload, world.maker.signer, expires);
}

export function casePackTx(
  world: World,
  sscc: string,
  serials: string[],
  expires: number,
): PreparedTx {
  const payload = { sscc, org: world.maker.org, packs: [{ gtin: GTIN, serials }] };
  return sign(world, "case.pack", payload, world.maker.signer, expires);
}

/** What one shipment moves: one case, or loose packs. */
export type Consignment =
  | { readonly kind: "case"; readonly sscc: string }
  | { readonly kind: "packs"; readonly serials: string[] };

const contents = (consignment: Consignment) =>
  consignment.kind === "case"
    ? { packs: [], cases: [consignment.sscc] }
    : { packs: [{ gtin: GTIN, serials: consignment.serials }], cases: [] };

/** The manufacturer ships a consignment to the distributor. */
export function shipTx(world: World, consignment: Consignment, expires: number): PreparedTx {
  const payload = { from: world.maker.org, to: world.wholesaler.org, ...contents(consignment) };
  return sign(world, "pack.ship", payload, world.maker.signer, expires);
}

/** The distributor receives a consignment the manufacturer shipped it. */
export function receiveTx(world: World, consignment: Consignment, expires: number): PreparedTx {
  const payload = {
    to: world.wholesaler.org,
    from: world.maker.org,
    ...contents(consignment),
    verified: [],
  };
  return sign(world, "pack.receive", payload, world.wholesaler.signer, expires);
}
