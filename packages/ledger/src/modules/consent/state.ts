import type {
  Canonical,
  ConsentAction,
  ConsentDeny,
  ConsentView,
  DelegationView,
  PurposeCode,
  RecordClass,
} from "@careledger/protocol";
import type { StateAccess } from "../../state/blockState.js";
import type { StateReader } from "../identity/state.js";
import { readIdentity } from "../identity/state.js";
import { reject } from "../module.js";

/**
 * State of the consent module, all under `consent/`:
 * - `consent/c/<id>`: a stored consent, or the tombstone an early revoke left;
 * - `consent/pg/<patient>/k/<key hex>` and `consent/pg/<patient>/o/<org>`: the ids (sorted) of
 *   the patient's consents naming that key or that organization, so deciding one access reads
 *   the two lists of that patient and that accessor, never a scan of all consents;
 * - `consent/d/<patient>/<delegate>`: a delegation, and `consent/dl/<patient>` the delegates'
 *   keys (sorted), which bounds them.
 */
export const consentKey = (id: string) => `consent/c/${id}`;
export const granteeKeyList = (patient: string, keyHex: string) =>
  `consent/pg/${patient}/k/${keyHex}`;
export const granteeOrgList = (patient: string, org: string) => `consent/pg/${patient}/o/${org}`;
export const delegationKey = (patient: string, delegate: string) =>
  `consent/d/${patient}/${delegate}`;
export const delegationPrefix = (patient: string) => `consent/d/${patient}/`;
export const delegateListKey = (patient: string) => `consent/dl/${patient}`;

/**
 * Most consents one patient keeps for one grantee (revoked and expired ones count: they stay
 * listed so a decision about a past time still sees them). Bounds the reads of one decision.
 */
export const CONSENTS_PER_GRANTEE_MAX = 64;
/** Most delegations one patient keeps (ended ones make room when the list is full). */
export const DELEGATES_MAX = 8;

/** Where and by whom something happened on chain (ChainStampSchema). */
export interface ChainStamp {
  readonly height: number;
  readonly time: number;
  readonly by: string;
}

/** A consent as stored: the grant's terms with keys as hex, and its stamps. */
export interface StoredConsent {
  readonly id: string;
  readonly patient: string;
  readonly grantee: { readonly key: string } | { readonly org: string };
  readonly actions: readonly ConsentAction[];
  readonly purposes: readonly PurposeCode[];
  readonly classes?: readonly RecordClass[];
  readonly records?: readonly string[];
  readonly period: { readonly start: number; readonly end?: number };
  readonly deny?: readonly ConsentDeny[];
  readonly granted: ChainStamp;
  readonly revoked?: ChainStamp;
}

/** What `consent.revoke` of an id not granted yet leaves: a later grant of it fails. */
export interface ConsentTombstone {
  readonly id: string;
  readonly patient: string;
  readonly tombstone: true;
  readonly revoked: ChainStamp;
}

export type ConsentEntry = StoredConsent | ConsentTombstone;

export const isTombstone = (entry: ConsentEntry): entry is ConsentTombstone => "tombstone" in entry;

export interface Delegation {
  readonly patient: string;
  readonly delegate: string;
  readonly period: { readonly start: number; readonly end?: number };
  readonly granted: ChainStamp;
}

export const stamp = (ctx: { height: number; time: number; sender: string }): ChainStamp => ({
  height: ctx.height,
  time: ctx.time,
  by: ctx.sender,
});

/** Whether `time` lies in `[start, end)`; no end is open. */
export const withinPeriod = (period: { start: number; end?: number }, time: number) =>
  period.start <= time && (period.end === undefined || time < period.end);

export async function readConsent(state: StateReader, id: string): Promise<ConsentEntry | null> {
  return (await state.get(consentKey(id))) as ConsentEntry | null;
}

export async function readIdList(state: StateReader, key: string): Promise<string[]> {
  return ((await state.get(key)) as string[] | null) ?? [];
}

/** Adds `id` to a sorted, bounded list (LIST_FULL past `max`). */
export async function addToList(
  state: StateAccess,
  key: string,
  id: string,
  max: number,
): Promise<void> {
  const ids = await readIdList(state, key);
  if (ids.includes(id)) return;
  if (ids.length >= max) reject("LIST_FULL", `${key} already holds ${max} entries`);
  state.put(key, [...ids, id].sort());
}

export async function readDelegation(
  state: StateReader,
  patient: string,
  delegate: string,
): Promise<Delegation | null> {
  return (await state.get(delegationKey(patient, delegate))) as Delegation | null;
}

/** Whether `delegate` may act for `patient` at `time`: a delegation whose period holds it. */
export async function delegateInForce(
  state: StateReader,
  patient: string,
  delegate: string,
  time: number,
): Promise<boolean> {
  const delegation = await readDelegation(state, patient, delegate);
  return delegation !== null && withinPeriod(delegation.period, time);
}

/**
 * The contract's `handler` sender rule of patient-or-delegate types: when the sender is not the
 * patient itself (`authorizedBy` null), it must be a delegate in force at the block's time.
 */
export async function requirePatientOrDelegate(
  ctx: { state: StateReader; sender: string; time: number; authorizedBy: unknown },
  patient: string,
): Promise<void> {
  if (ctx.authorizedBy !== null) return;
  if (!(await delegateInForce(ctx.state, patient, ctx.sender, ctx.time))) {
    reject("UNAUTHORIZED", "sender is neither the patient nor a delegate of it in force");
  }
}

/** The key must be registered, unrevoked, with the patient role (NOT_A_PATIENT). */
export async function requirePatient(state: StateReader, keyHex: string): Promise<void> {
  const identity = await readIdentity(state, keyHex);
  if (
    identity === null ||
    identity.revokedAt !== undefined ||
    !identity.roles.includes("patient")
  ) {
    reject("NOT_A_PATIENT", `${keyHex} is not a registered, unrevoked patient`);
  }
}

/** A stored consent as queries answer it: `active` only while in force at `time` (the head's). */
export function consentView(consent: StoredConsent, time: number): ConsentView {
  const expired = consent.period.end !== undefined && time >= consent.period.end;
  const active = consent.revoked === undefined && !expired && time >= consent.period.start;
  return {
    ...(consent as unknown as Omit<ConsentView, "status" | "expired">),
    status: active ? "active" : "inactive",
    expired,
  };
}

export function delegationView(delegation: Delegation, time: number): DelegationView {
  return { ...delegation, active: withinPeriod(delegation.period, time) } as DelegationView;
}

export const asCanonical = (value: unknown) => value as Canonical;
