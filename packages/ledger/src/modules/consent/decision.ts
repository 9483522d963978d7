import {
  type AccessDecision,
  type ConsentAction,
  type ConsentDeny,
  type ConsentPermitBack,
  PURPOSE_PARENT,
  type PurposeCode,
  purposeCovers,
  type RecordClass,
} from "@careledger/protocol";
import {
  type IdentityRecord,
  identityKey,
  orgKey,
  readIdentity,
  readOrganization,
  type StateReader,
} from "../identity/state.js";
import {
  consentKey,
  granteeKeyList,
  granteeOrgList,
  isTombstone,
  readConsent,
  readIdList,
  type StoredConsent,
  withinPeriod,
} from "./state.js";

/**
 * The access decision (DOMAIN.md "consent and access audit", NOTES.md 1.3): deterministic, from
 * the block's state and the header's time only, shared by `access.log` and `consent.decision`.
 */

/** One access to decide: who, on what record of which patient, to do what, why, when. */
export interface AccessRequest {
  readonly accessor: string;
  readonly patient: string;
  readonly record: string | null;
  readonly class: RecordClass | null;
  readonly action: ConsentAction;
  readonly purpose: PurposeCode;
  readonly time: number;
}

/**
 * Which keys of a grantee organization a grant to it covers, by the family (the v3 ActReason
 * root) of the purpose asked for: the people whose work that purpose is. Treatment is for those
 * who treat and dispense, payment for the insurer's agents, operations for staff, research for
 * researchers, public health for regulators. PATRQT (a disclosure the patient itself asks for)
 * and HMARKT (marketing) name no role: a patient who wants them names a key. A grant to an
 * organization must name a purpose of a family listed here (consent.grant), else it could never
 * permit anyone.
 */
export const ORG_ROLES_BY_FAMILY: Readonly<Partial<Record<PurposeCode, readonly string[]>>> = {
  TREAT: ["clinician", "pharmacist"],
  HPAYMT: ["insurer-agent"],
  HOPERAT: ["staff"],
  HRESCH: ["researcher"],
  PUBHLTH: ["regulator"],
};

/** The v3 ActReason root a purpose descends from. */
export function purposeFamily(purpose: PurposeCode): PurposeCode {
  let code: PurposeCode = purpose;
  for (let parent = PURPOSE_PARENT[code]; parent !== null; parent = PURPOSE_PARENT[code]) {
    code = parent;
  }
  return code;
}

/** The roles an organization grant covers for a request with `purpose` (none: an empty list). */
export const orgRolesFor = (purpose: PurposeCode): readonly string[] =>
  ORG_ROLES_BY_FAMILY[purposeFamily(purpose)] ?? [];

/** Organization kinds whose clinicians may break the glass: the ones that give care. */
export const CARE_GIVING_KINDS: readonly string[] = ["hospital", "clinic"];
/**
 * What breaking the glass may do: read the record (`access`) and act on it in the emergency
 * (`use`). DOMAIN.md lets clinicians "reach a record in an emergency", no more: disclosing it
 * onward, correcting it or collecting into it without the patient's consent is no emergency's
 * need, and a permit for them would outlive the emergency in other hands.
 */
export const BREAK_GLASS_ACTIONS: readonly ConsentAction[] = ["access", "use"];

type Outcome = "permit" | "deny";

/** The fields a provision narrows on: each present one must match, its codes OR-ed. */
type Match = Pick<ConsentDeny, "actions" | "purposes" | "classes" | "records">;

function matches(node: Match, request: AccessRequest): boolean {
  if (node.actions !== undefined && !node.actions.includes(request.action)) return false;
  if (
    node.purposes !== undefined &&
    !node.purposes.some((purpose) => purposeCovers(purpose, request.purpose))
  ) {
    return false;
  }
  if (
    node.classes !== undefined &&
    (request.class === null || !node.classes.includes(request.class))
  )
    return false;
  if (
    node.records !== undefined &&
    (request.record === null || !node.records.includes(request.record))
  )
    return false;
  return true;
}

/**
 * NOTES.md 1.3's `evaluate`: a node's own type holds unless some of its children (exceptions to
 * it) match; then the matching children decide, each recursively, deny-overrides between them
 * (the safe choice where the standard is silent). A deny's children are `except` permits.
 */
function evaluate(
  type: Outcome,
  children: readonly (ConsentDeny | ConsentPermitBack)[] | undefined,
  request: AccessRequest,
): Outcome {
  let matched: Outcome | null = null;
  for (const child of children ?? []) {
    if (!matches(child, request)) continue;
    const childType: Outcome = type === "permit" ? "deny" : "permit";
    const grandchildren = "except" in child ? child.except : undefined;
    const outcome = evaluate(childType, grandchildren, request);
    if (outcome === "deny") return "deny";
    matched = outcome;
  }
  return matched ?? type;
}

/** Whether the consent is in force at `time`: granted by then, not revoked yet, in its period. */
export function inForce(consent: StoredConsent, time: number): boolean {
  if (consent.granted.time > time) return false;
  if (consent.revoked !== undefined && consent.revoked.time <= time) return false;
  return withinPeriod(consent.period, time);
}

/**
 * One consent's answer: not applicable (not in force, or its permit does not cover the
 * request), permit, or deny by one of its exceptions. OPTOUTE base: outside its permit, the
 * consent says nothing, and "no consent" decides.
 */
export function consentOutcome(
  consent: StoredConsent,
  request: AccessRequest,
): Outcome | "not-applicable" {
  if (!inForce(consent, request.time)) return "not-applicable";
  const permit: Match = {
    actions: consent.actions as ConsentAction[],
    purposes: consent.purposes as PurposeCode[],
    ...(consent.classes !== undefined && { classes: consent.classes as RecordClass[] }),
    ...(consent.records !== undefined && { records: consent.records as string[] }),
  };
  if (!matches(permit, request)) return "not-applicable";
  return evaluate("permit", consent.deny, request);
}

/**
 * Whether the accessor is covered by a grant to its organization for `purpose`: registered,
 * unrevoked, with a role that purpose's family is for (ORG_ROLES_BY_FAMILY).
 */
const coveredByOrgGrant = (
  identity: IdentityRecord | null,
  purpose: PurposeCode,
): identity is IdentityRecord =>
  identity !== null &&
  identity.revokedAt === undefined &&
  identity.roles.some((role) => orgRolesFor(purpose).includes(role));

/**
 * The keys deciding an access of `accessor` to a record of `patient` reads, as far as `known`
 * (what is in memory) lets it tell: the patient's lists for the accessor's key and its
 * organization, the organization, and the consents the lists name. A block fetches them in
 * rounds before it runs (TxHandler.readsAfter), so a decision rarely waits for the disk.
 */
export function decisionReads(
  accessor: string,
  patient: string,
  known: (key: string) => unknown,
): string[] {
  const identity = known(identityKey(accessor)) as IdentityRecord | null | undefined;
  const lists = [granteeKeyList(patient, accessor)];
  const keys: string[] = [];
  if (identity !== undefined && identity !== null) {
    lists.push(granteeOrgList(patient, identity.org));
    keys.push(orgKey(identity.org));
  }
  for (const list of lists) {
    keys.push(list);
    const ids = known(list);
    if (Array.isArray(ids)) for (const id of ids) keys.push(consentKey(id as string));
  }
  return keys;
}

/**
 * The grantee lists deciding `request` reads: the patient's for the accessor's key, and for its
 * organization when a grant to it covers the accessor for that purpose.
 */
export async function candidateLists(
  state: StateReader,
  request: AccessRequest,
  identity: IdentityRecord | null,
): Promise<string[]> {
  const lists = [granteeKeyList(request.patient, request.accessor)];
  if (
    coveredByOrgGrant(identity, request.purpose) &&
    (await readOrganization(state, identity.org)) !== null
  ) {
    lists.push(granteeOrgList(request.patient, identity.org));
  }
  return lists;
}

/**
 * Decides one access. The patient reading its own record is permitted. Otherwise only the
 * patient's consents naming the accessor's key, and (for a role the purpose's family is for,
 * ORG_ROLES_BY_FAMILY) its organization, are read. Several consents combine by "any permit not overridden permits":
 * each consent is a separate grant by the patient, and its deny exceptions narrow that grant
 * only (a patient who lets its GP see all but mental-health notes and lets its psychiatrist see
 * those wants both to hold); withdrawing a grant is what `consent.revoke` is for. The permitting
 * consent reported is the first by id, so every validator names the same. With none permitting,
 * break the glass (ETREAT or a descendant, to access or use, by a clinician of a hospital or
 * clinic) permits, flagged; else deny: `exception` naming the first consent whose exception overrode its permit,
 * or `no-consent`.
 */
export async function decideAccess(
  state: StateReader,
  request: AccessRequest,
): Promise<AccessDecision> {
  if (request.accessor === request.patient) {
    return { decision: "permit", reason: "own-record", consent: null, breakGlass: false };
  }
  const identity = await readIdentity(state, request.accessor);
  const ids: string[] = [];
  for (const list of await candidateLists(state, request, identity)) {
    ids.push(...(await readIdList(state, list)));
  }
  ids.sort();
  let overriddenBy: string | null = null;
  for (const id of ids) {
    const entry = await readConsent(state, id);
    if (entry === null || isTombstone(entry)) continue;
    const outcome = consentOutcome(entry, request);
    if (outcome === "permit") {
      return { decision: "permit", reason: "consent", consent: id, breakGlass: false };
    }
    if (outcome === "deny" && overriddenBy === null) overriddenBy = id;
  }
  const emergency =
    purposeCovers("ETREAT", request.purpose) && BREAK_GLASS_ACTIONS.includes(request.action);
  if (emergency && (await careGivingClinician(state, identity))) {
    return { decision: "permit", reason: "break-glass", consent: null, breakGlass: true };
  }
  if (overriddenBy !== null) {
    return { decision: "deny", reason: "exception", consent: overriddenBy, breakGlass: false };
  }
  return { decision: "deny", reason: "no-consent", consent: null, breakGlass: false };
}

async function careGivingClinician(
  state: StateReader,
  identity: IdentityRecord | null,
): Promise<boolean> {
  if (identity === null || identity.revokedAt !== undefined) return false;
  if (!identity.roles.includes("clinician")) return false;
  const org = await readOrganization(state, identity.org);
  return org !== null && CARE_GIVING_KINDS.includes(org.kind);
}
