import {
  type Canonical,
  CLAIM_HISTORY_MAX,
  type ClaimHistoryEntry,
  type ClaimItem,
  type ClaimStatus,
  type ClaimView,
  type CoverageView,
  encode,
  type PlanTerms,
  type PlanView,
  type PreauthorizationView,
} from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import { sha256 } from "../../smt/hashing.js";
import type { StateAccess } from "../../state/blockState.js";
import type { StateReader } from "../identity/state.js";
import { reject } from "../module.js";
import type { Accumulators } from "./adjudication.js";

/**
 * State of the claims module, all under `claims/`:
 * - `claims/plan/<plan id>`: a plan with the list of its versions (number, effective time,
 *   stamp), and `claims/terms/<plan id>/<version>` each version's terms, so a claim reads the
 *   one version in force on its service date, not every version's rules;
 * - `claims/cov/<coverage id>`: a coverage (CoverageView);
 * - `claims/acc/<plan id>/<member key hex>`: what a member has met of the deductible and the
 *   out-of-pocket maximum in the plan's period (the plan is the benefit period), updated in
 *   block order by every adjudicated claim and reversed by a void;
 * - `claims/pa/<id>`: a pre-authorization and its decision (PreauthorizationView);
 * - `claims/claim/<id>`: a claim with its ClaimResponse, payments and history (ClaimView);
 * - `claims/dup/<hash>`: the claim id of an earlier non-denied claim with the same provider,
 *   member, service date and lines (hash below), for duplicate detection;
 * - `claims/open/<insurer>/<claim id>` and `claims/recv/<provider>/<claim id>`: the lists that
 *   shrink (an insurer's open claims, a provider's receivables), put and deleted by the handlers
 *   as a claim's payable, payments and disputes change, so a query pages them from the state.
 */
export const planKey = (id: string) => `claims/plan/${id}`;
export const termsKey = (plan: string, version: number) => `claims/terms/${plan}/${version}`;
export const coverageKey = (id: string) => `claims/cov/${id}`;
export const accumulatorKey = (plan: string, member: string) => `claims/acc/${plan}/${member}`;
export const preauthKey = (id: string) => `claims/pa/${id}`;
export const claimKey = (id: string) => `claims/claim/${id}`;
export const duplicateKey = (hashHex: string) => `claims/dup/${hashHex}`;
export const openPrefix = (insurer: string) => `claims/open/${insurer}/`;
export const receivablePrefix = (provider: string) => `claims/recv/${provider}/`;

export const DAY_MS = 86_400_000;

/** Organization kinds that give care and so may claim (NOT_A_PROVIDER otherwise). */
export const PROVIDER_KINDS: ReadonlySet<string> = new Set([
  "hospital",
  "clinic",
  "lab",
  "pharmacy",
]);

/** A plan as stored: the PlanView without the terms, which live one key per version. */
export interface StoredPlan extends Omit<PlanView, "versions"> {
  readonly versions: ReadonlyArray<Omit<PlanView["versions"][number], "terms">>;
}

export const NOTHING_MET: Accumulators = { deductibleMet: 0, outOfPocketMet: 0 };

export const asCanonical = (value: unknown) => value as Canonical;

export async function readPlan(state: StateReader, id: string): Promise<StoredPlan | null> {
  return (await state.get(planKey(id))) as StoredPlan | null;
}

export async function requirePlan(state: StateReader, id: string): Promise<StoredPlan> {
  const plan = await readPlan(state, id);
  if (plan === null) return reject("PLAN_NOT_FOUND", `no plan ${id}`);
  return plan;
}

export async function readTerms(
  state: StateReader,
  plan: string,
  version: number,
): Promise<PlanTerms> {
  const terms = (await state.get(termsKey(plan, version))) as PlanTerms | null;
  if (terms === null) throw new Error(`plan ${plan} lists version ${version} without its terms`);
  return terms;
}

/**
 * The version of a plan in force at `time`: the latest whose effective time is at or before it,
 * within the plan's period; null outside the period (versions are kept in effective order).
 */
export function versionAt(plan: StoredPlan, time: number): StoredPlan["versions"][number] | null {
  if (time < plan.period.start || time >= plan.period.end) return null;
  let found: StoredPlan["versions"][number] | null = null;
  for (const version of plan.versions) {
    if (version.effective > time) break;
    found = version;
  }
  return found;
}

export async function readCoverage(state: StateReader, id: string): Promise<CoverageView | null> {
  return (await state.get(coverageKey(id))) as CoverageView | null;
}

export async function requireCoverage(state: StateReader, id: string): Promise<CoverageView> {
  const coverage = await readCoverage(state, id);
  if (coverage === null) return reject("COVERAGE_NOT_FOUND", `no coverage ${id}`);
  return coverage;
}

export async function readAccumulators(
  state: StateReader,
  plan: string,
  member: string,
): Promise<Accumulators> {
  return ((await state.get(accumulatorKey(plan, member))) as Accumulators | null) ?? NOTHING_MET;
}

export async function readPreauth(
  state: StateReader,
  id: string,
): Promise<PreauthorizationView | null> {
  return (await state.get(preauthKey(id))) as PreauthorizationView | null;
}

export async function readClaim(state: StateReader, id: string): Promise<ClaimView | null> {
  return (await state.get(claimKey(id))) as ClaimView | null;
}

/** The claim, which must exist, and whose `field` organization must be `org` (UNAUTHORIZED). */
export async function requireClaimOf(
  state: StateReader,
  id: string,
  field: "provider" | "insurer",
  org: string,
): Promise<ClaimView> {
  const claim = await readClaim(state, id);
  if (claim === null) return reject("CLAIM_NOT_FOUND", `no claim ${id}`);
  if (claim[field] !== org)
    reject("UNAUTHORIZED", `claim ${id} is not ${org}'s: its ${field} is ${claim[field]}`);
  return claim;
}

/**
 * The duplicate key of a claim: SHA-256 of the canonical [provider, member, service date, lines
 * sorted], so the same lines in another order are the same claim. Unsalted: provider ids,
 * service codes and amounts are public on chain anyway, and the member key is one the patient
 * uses for this coverage only, linking to nothing else.
 */
export function duplicateHash(
  provider: string,
  member: string,
  serviceDate: number,
  items: readonly ClaimItem[],
): string {
  const lines = items.map((item) => [item.code, item.quantity, item.unitPrice] as const);
  lines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
  return hexOf(sha256(encode([provider, member, serviceDate, lines as unknown as Canonical])));
}

export const claimDuplicateKey = (claim: {
  provider: string;
  member: string;
  serviceDate: number;
  items: readonly ClaimItem[];
}) => duplicateKey(duplicateHash(claim.provider, claim.member, claim.serviceDate, claim.items));

/** The status a claim's payable and payments give it, outside a dispute. */
export function paymentStatus(claim: Pick<ClaimView, "payable" | "paid">): ClaimStatus {
  if (claim.paid === 0) return "adjudicated";
  return claim.paid < claim.payable ? "partially-paid" : "paid";
}

/** A claim with one more history entry (LIST_FULL past CLAIM_HISTORY_MAX). */
export function withHistory(claim: ClaimView, entry: ClaimHistoryEntry): ClaimView["history"] {
  if (claim.history.length >= CLAIM_HISTORY_MAX) {
    reject("LIST_FULL", `claim ${claim.id} holds ${CLAIM_HISTORY_MAX} history entries`);
  }
  return [...claim.history, entry];
}

const settled = (claim: ClaimView) => claim.status === "voided" || claim.status === "error";
/** On its insurer's open list: something payable and unpaid, or a dispute open. */
const isOpen = (claim: ClaimView | null) =>
  claim !== null && !settled(claim) && (claim.payable > claim.paid || claim.status === "disputed");
/** On its provider's receivables: something payable and unpaid. */
const isReceivable = (claim: ClaimView | null) =>
  claim !== null && !settled(claim) && claim.payable > claim.paid;

/**
 * Writes a claim and moves it on or off its insurer's open list and its provider's receivables
 * as `before` (null for a new claim) and the new value differ: only a change writes a list key.
 */
export function writeClaim(state: StateAccess, before: ClaimView | null, claim: ClaimView): void {
  state.put(claimKey(claim.id), asCanonical(claim));
  const open = `${openPrefix(claim.insurer)}${claim.id}`;
  const receivable = `${receivablePrefix(claim.provider)}${claim.id}`;
  moveOnList(state, open, isOpen(before), isOpen(claim));
  moveOnList(state, receivable, isReceivable(before), isReceivable(claim));
}

function moveOnList(state: StateAccess, key: string, was: boolean, is: boolean): void {
  if (is && !was) state.put(key, true);
  else if (was && !is) state.delete(key);
}
