/**
 * Who a verified caller is, and the two kinds of caller the read rules tell apart (DOMAIN.md
 * "Who sees what"): operators and a member organization's staff. Defined once here, browser-safe,
 * so the API's read scopes, the query contract and the ledger's queries judge alike.
 */

/** A key's registration: the one organization it belongs to and the roles it holds there. */
export interface CallerRegistration {
  readonly org: string;
  readonly roles: readonly string[];
}

/**
 * Who a key is on chain, from its two independent sources: its registration (null when it has
 * none) and the organizations it administers (genesis or governance, possibly several, possibly
 * not its registration's). Role rules read the registration; admin rules read `adminOf`.
 */
export interface CallerIdentity {
  readonly identity: CallerRegistration | null;
  readonly adminOf: readonly string[];
}

/** The verified identity behind a signed request: its key (lowercase hex) and who it is. */
export interface QueryCaller extends CallerIdentity {
  readonly key: string;
}

/** Roles of a data subject: a key holding one is never an operator or staff, whatever else. */
export const SUBJECT_ROLES: ReadonlySet<string> = new Set(["patient", "device"]);

/** Whether the key holds a data subject's role (patient, device). */
export function isSubject(who: CallerIdentity): boolean {
  return who.identity?.roles.some((role) => SUBJECT_ROLES.has(role)) ?? false;
}

/**
 * A member operator: an organization admin, or a key registered with the `operator` role (the
 * people and services that run a member's node and back office). Operators of a member node hold
 * the whole ledger on disk anyway, so raw reads (block bodies, every receipt and transaction
 * event, identity and governance state) cost nothing; everyone else, `staff` included, sees what
 * the module rules give them, through the modules' queries.
 */
export function isOperator(who: CallerIdentity | null): boolean {
  if (who === null || isSubject(who)) return false;
  return who.adminOf.length > 0 || (who.identity?.roles.includes("operator") ?? false);
}

/**
 * A member organization's people (of `org`, when given): an admin of it, or a key registered at
 * it with any role, provided the key holds no subject role (a patient who is also a clinician
 * reads as a patient). Clinicians, insurer agents, regulators, researchers, `staff` and
 * operators all count; patients and devices never do.
 */
export function isMemberStaff(who: CallerIdentity | null, org?: string): boolean {
  if (who === null || isSubject(who)) return false;
  const admin = org === undefined ? who.adminOf.length > 0 : who.adminOf.includes(org);
  const registered =
    who.identity !== null &&
    who.identity.roles.length > 0 &&
    (org === undefined || who.identity.org === org);
  return admin || registered;
}

/**
 * Whether `caller` may learn who `subjectKey` is (`identity.key`): the key itself, an operator,
 * or the staff of the key's own organization (the one it is registered at or administers). Any
 * other caller is refused even for an unregistered key, so a refusal says nothing about the key.
 */
export function mayKnowKey(
  caller: QueryCaller,
  subjectKey: string,
  subject: CallerIdentity | null,
): boolean {
  if (caller.key === subjectKey || isOperator(caller)) return true;
  if (subject === null) return false;
  const orgs = [...(subject.identity === null ? [] : [subject.identity.org]), ...subject.adminOf];
  return orgs.some((org) => isMemberStaff(caller, org));
}

/**
 * Whether `caller` is a party to a consent (`consent.get`'s `query` rule): its patient, a
 * delegate of the patient in force (`isDelegate`, judged by the caller of this on state), or its
 * grantee: the key, or the grantee organization's people (`isMemberStaff`).
 */
export function isConsentParty(
  caller: QueryCaller,
  consent: {
    readonly patient: string;
    readonly grantee: { readonly key: string } | { readonly org: string };
  },
  isDelegate: boolean,
): boolean {
  if (caller.key === consent.patient || isDelegate) return true;
  const { grantee } = consent;
  return "key" in grantee ? grantee.key === caller.key : isMemberStaff(caller, grantee.org);
}

/**
 * Whether `caller` may read a record's metadata (`record.get`'s `query` rule): its patient, a
 * delegate of the patient in force (`isDelegate`), or the custodian organization's people.
 */
export function isRecordParty(
  caller: QueryCaller,
  record: { readonly patient: string; readonly custodian: string },
  isDelegate: boolean,
): boolean {
  return caller.key === record.patient || isDelegate || isMemberStaff(caller, record.custodian);
}
