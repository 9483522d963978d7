import {
  type Canonical,
  CareLedgerError,
  checkQueryAccess,
  isConsentParty,
  isOperator,
  isRecordParty,
  QUERIES,
  type QueryCaller,
  type QueryContract,
} from "@careledger/protocol";
import { readIdentity } from "../identity/state.js";
import {
  definePagedQuery,
  defineQuery,
  type KeyValueReader,
  type PageRequest,
  type Query,
  type QueryPage,
  type QueryReader,
  scanPage,
} from "../module.js";
import { readRecord } from "../record/state.js";
import { type AccessRequest, candidateLists, decideAccess } from "./decision.js";
import { BY_KEY_INDEX, BY_ORG_INDEX, BY_PATIENT_INDEX } from "./indexes.js";
import {
  consentView,
  DELEGATES_MAX,
  type Delegation,
  delegateInForce,
  delegationPrefix,
  delegationView,
  isTombstone,
  readConsent,
  readWatermark,
} from "./state.js";

/**
 * Whether a caller passed the query's declared access on a rule other than `query` (the node's
 * own read, null, passes too): then the query need not judge it on state.
 */
export function admittedByContract(
  contract: QueryContract,
  caller: QueryCaller | null,
  params: unknown,
): boolean {
  if (caller === null) return true;
  const rule = checkQueryAccess(contract, caller, params as Readonly<Record<string, unknown>>);
  return rule.rule !== "query";
}

const forbidden = (why: string): never => {
  throw new CareLedgerError("FORBIDDEN", why);
};

/** The `query` rule "a delegate of the patient in force", at the head's time. */
export async function requireDelegate(
  reader: QueryReader,
  patient: string,
  caller: QueryCaller,
): Promise<void> {
  if (!(await delegateInForce(reader, patient, caller.key, reader.time))) {
    forbidden("only the patient, its delegates in force and operators");
  }
}

/**
 * `consent.get`: the patient, its delegates in force, the grantee (the key, or the grantee
 * organization's people) and operators. Anyone else is refused even for an unknown id or a
 * tombstone, so a refusal says nothing about the id.
 */
const get = defineQuery(QUERIES["consent.get"], async (reader, params, caller) => {
  const entry = await readConsent(reader, params.id);
  if (caller !== null && !admittedByContract(QUERIES["consent.get"], caller, params)) {
    const party =
      entry !== null &&
      !isTombstone(entry) &&
      isConsentParty(
        caller,
        entry,
        await delegateInForce(reader, entry.patient, caller.key, reader.time),
      );
    // A tombstone's patient may learn that its revoke left one (it reads as null).
    const tombstoneOwner = entry !== null && isTombstone(entry) && entry.patient === caller.key;
    if (!party && !tombstoneOwner) forbidden("only the consent's parties and operators");
  }
  if (entry === null || isTombstone(entry)) return null;
  return consentView(entry, reader.time) as unknown as Canonical;
});

/** A page of consents from one of the module's indexes (keys end in the consent id). */
async function consentPage(
  reader: QueryReader,
  index: KeyValueReader,
  prefix: string,
  page: PageRequest,
): Promise<QueryPage> {
  const { entries, resumeAfter } = await scanPage(index, prefix, page);
  const items: Canonical[] = [];
  for (const [key] of entries) {
    const entry = await readConsent(reader, key.slice(key.lastIndexOf("/") + 1));
    if (entry === null || isTombstone(entry)) continue;
    items.push(consentView(entry, reader.time) as unknown as Canonical);
  }
  return { items, resumeAfter };
}

const ofPatient = definePagedQuery(
  QUERIES["consent.ofPatient"],
  async (reader, params, caller, page) => {
    if (caller !== null && !admittedByContract(QUERIES["consent.ofPatient"], caller, params)) {
      await requireDelegate(reader, params.patient, caller);
    }
    return consentPage(reader, reader.index(BY_PATIENT_INDEX), `${params.patient}/`, page);
  },
);

const toKey = definePagedQuery(QUERIES["consent.toKey"], (reader, { key }, _caller, page) =>
  consentPage(reader, reader.index(BY_KEY_INDEX), `${key}/`, page),
);

const toOrg = definePagedQuery(QUERIES["consent.toOrg"], (reader, { org }, _caller, page) =>
  consentPage(reader, reader.index(BY_ORG_INDEX), `${org}/`, page),
);

/** `consent.delegates`: at most DELEGATES_MAX entries, so one scan of the patient's prefix. */
const delegates = defineQuery(QUERIES["consent.delegates"], async (reader, { patient }) => {
  const found = await reader.scan(delegationPrefix(patient), { limit: DELEGATES_MAX });
  return found.map(
    ([, value]) =>
      delegationView(value as unknown as Delegation, reader.time) as unknown as Canonical,
  );
});

/**
 * `consent.decision`: the decision `access.log` would take, at `time` (the head's by default)
 * on the head's state. A record names its patient and class; otherwise `patient` (and a
 * `class`, or none for a consent that covers all the patient's records) must be given.
 *
 * Who may ask is judged before the record is looked at, on the caller alone: the accessor
 * itself, an operator, or the named patient and its delegates in force (with a record and no
 * patient named, the record's patient and delegates). Then a record that is missing, another
 * patient's than the one named, or of another class than the one named is one FORBIDDEN for
 * every caller who may not read that record's metadata anyway (record.get's parties and
 * operators get the specific code); for those callers naming a patient or class beside a record
 * is refused even when the guess is right. Else `accessor=<self>&record=R&patient=P` would tell
 * a stranger whose R is and of which class. The accessor asking about a record alone gets its
 * own decision, which says no more than its `access.log` would.
 */
const decision = defineQuery(QUERIES["consent.decision"], async (reader, params, caller) => {
  const named = params.patient ?? null;
  const record = params.record === undefined ? null : await readRecord(reader, params.record);
  const operator = caller === null || isOperator(caller);
  const accessor = caller !== null && caller.key === params.accessor;
  if (caller !== null && !operator && !accessor) {
    // The patient the caller speaks for: the named one, or (none named) the record's.
    const patient = named ?? record?.patient ?? null;
    const party =
      patient !== null &&
      (caller.key === patient || (await delegateInForce(reader, patient, caller.key, reader.time)));
    if (!party) forbidden("only the accessor, the patient, its delegates in force and operators");
  }
  let patient = named;
  let recordClass = params.class ?? null;
  if (params.record !== undefined) {
    const mayKnow =
      operator ||
      (record !== null &&
        isRecordParty(
          caller,
          record,
          await delegateInForce(reader, record.patient, caller.key, reader.time),
        ));
    // A caller who may not read the record's metadata learns nothing about it from its own
    // guesses: a right one would answer and a wrong one refuse, so both refuse.
    if (!mayKnow && (record === null || named !== null || recordClass !== null)) {
      forbidden("only the accessor, the patient, its delegates in force and operators");
    }
    if (record === null) throw new CareLedgerError("RECORD_NOT_FOUND", "no such record");
    if (named !== null && named !== record.patient) {
      throw new CareLedgerError("BAD_REQUEST", "the record is another patient's");
    }
    if (recordClass !== null && recordClass !== record.class) {
      throw new CareLedgerError("BAD_REQUEST", "the record is of another class");
    }
    patient = record.patient;
    recordClass = record.class;
  }
  if (patient === null) throw new CareLedgerError("BAD_REQUEST", "give a record or a patient");
  const request: AccessRequest = {
    accessor: params.accessor,
    patient,
    record: params.record ?? null,
    class: recordClass,
    action: params.action,
    purpose: params.purpose,
    time: params.time ?? reader.time,
  };
  // A full grantee list drops consents no longer in force (state.ts addToGranteeList): about a
  // time before its watermark, one of them may have decided, so the answer cannot be told.
  const identity = await readIdentity(reader, request.accessor);
  for (const list of await candidateLists(reader, request, identity)) {
    const watermark = await readWatermark(reader, list);
    if (request.time < watermark) {
      throw new CareLedgerError(
        "CONSENT_HISTORY_PRUNED",
        `consents in force until ${watermark} were pruned from ${list}: ask about ${watermark} or later`,
        { prunedUntil: watermark },
      );
    }
  }
  return decideAccess(reader, request) as unknown as Promise<Canonical>;
});

export const consentQueries: readonly Query[] = [get, ofPatient, toKey, toOrg, delegates, decision];
