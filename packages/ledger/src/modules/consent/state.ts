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
 * - `consent/pp/<patient>/k/<key hex>`, `consent/pp/<patient>/o/<org>`: when a full list of
 *   `consent/pg/` was pruned, the latest time a consent pruned from it was in force until
 *   (before it, a decision can no longer be told from the list);
 * - `consent/d/<patient>/<delegate>`: a delegation, and `consent/dl/<patient>` the delegates'
 *   keys (sorted), which bounds them.
 */
export const consentKey = (id: string) => `consent/c/${id}`;
export const granteeKeyList = (patient: string, keyHex: string) =>
  `consent/pg/${patient}/k/${keyHex}`;
export const granteeOrgList = (patient: string, org: string) => `consent/pg/${patient}/o/${org}`;
/** The pruning watermark of a grantee list (`consent/pg/...` to `consent/pp/...`). */
export const prunedKey = (listKey: string) => `consent/pp/${listKey.slice("consent/pg/".length)}`;
export const delegationKey = (patient: string, delegate: string) =>
  `consent/d/${patient}/${delegate}`;
export const delegationPrefix = (patient: string) => `consent/d/${patient}/`;
export const delegateListKey = (patient: string) => `consent/dl/${patient}`;

/**
 * Most consents one patient lists for one grantee. Bounds the reads of one decision. Revoked
 * and expired ones stay listed (a decision about a past time still sees them) until the list is
 * full; then those no longer in force at the block's time make room (pruneList).
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

/** The time until which a consent can be in force: its revocation, or its period's end. */
function inForceUntil(consent: StoredConsent): number | undefined {
  const ends = [consent.revoked?.time, consent.period.end].filter(
    (time): time is number => time !== undefined,
  );
  return ends.length === 0 ? undefined : Math.min(...ends);
}

/**
 * Adds consent `id` to a grantee list. A full list first drops every consent no longer in force
 * at `time` (revoked or expired by then: it can never be again, and block times do not go back)
 * and raises the list's watermark (`prunedKey`) to the latest time a dropped one was in force
 * until; LIST_FULL if none can go. The consents themselves stay (consent.get, the patient's
 * list); only a decision about a time before the watermark can no longer be told.
 */
export async function addToGranteeList(
  state: StateAccess,
  key: string,
  id: string,
  time: number,
): Promise<void> {
  let ids = await readIdList(state, key);
  if (!ids.includes(id) && ids.length >= CONSENTS_PER_GRANTEE_MAX) {
    let watermark = await readWatermark(state, key);
    const kept: string[] = [];
    for (const listed of ids) {
      const entry = await readConsent(state, listed);
      const until = entry === null || isTombstone(entry) ? undefined : inForceUntil(entry);
      if (until !== undefined && until <= time) watermark = Math.max(watermark, until);
      else kept.push(listed);
    }
    if (kept.length === ids.length) {
      reject(
        "LIST_FULL",
        `${key} holds ${CONSENTS_PER_GRANTEE_MAX} consents, all in force or to come`,
      );
    }
    state.put(prunedKey(key), watermark);
    ids = kept;
  }
  state.put(key, [...ids, id].sort());
}

/** The pruning watermark of a grantee list: 0 when it was never pruned. */
export async function readWatermark(state: StateReader, listKey: string): Promise<number> {
  return ((await state.get(prunedKey(listKey))) as number | null) ?? 0;
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
