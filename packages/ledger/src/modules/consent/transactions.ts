import { TX_TYPES } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import { identityKey, orgKey, readIdentity, requireOrganization } from "../identity/state.js";
import { defineTxType, reject } from "../module.js";
import { ORG_ROLES_BY_FAMILY, orgRolesFor } from "./decision.js";
import {
  addToGranteeList,
  asCanonical,
  CONSENTS_PER_GRANTEE_MAX,
  consentKey,
  DELEGATES_MAX,
  type Delegation,
  delegateListKey,
  delegationKey,
  granteeKeyList,
  granteeOrgList,
  isTombstone,
  prunedKey,
  readConsent,
  readDelegation,
  readIdList,
  requirePatient,
  requirePatientOrDelegate,
  type StoredConsent,
  stamp,
} from "./state.js";

function checkPeriod(period: { start: number; end?: number }): void {
  if (period.end !== undefined && period.end <= period.start) {
    reject("CONSENT_INVALID", "the period ends before it starts");
  }
}

/**
 * `consent.grant`, by the patient or a delegate in force: a new consent id (a tombstoned one
 * is spent), a grantee that exists (a registered key, a member organization), consistent terms,
 * and room in the patient's list for that grantee.
 */
export const consentGrant = defineTxType(TX_TYPES["consent.grant"], {
  reads: (payload) => {
    const patient = hexOf(payload.patient);
    const grantee =
      "key" in payload.grantee
        ? [
            identityKey(hexOf(payload.grantee.key)),
            granteeKeyList(patient, hexOf(payload.grantee.key)),
          ]
        : [orgKey(payload.grantee.org), granteeOrgList(patient, payload.grantee.org)];
    return [
      consentKey(payload.id),
      identityKey(patient),
      ...grantee,
      prunedKey(grantee[1] as string),
    ];
  },
  // A full list is pruned, which reads the consents it names.
  readsAfter(payload, _sender, known) {
    const patient = hexOf(payload.patient);
    const list =
      "key" in payload.grantee
        ? granteeKeyList(patient, hexOf(payload.grantee.key))
        : granteeOrgList(patient, payload.grantee.org);
    const ids = known(list);
    if (!Array.isArray(ids) || ids.length < CONSENTS_PER_GRANTEE_MAX) return [];
    return ids.map((id) => consentKey(id as string));
  },
  async execute(ctx, payload) {
    const patient = hexOf(payload.patient);
    await requirePatientOrDelegate(ctx, patient);
    await requirePatient(ctx.state, patient);
    const existing = await readConsent(ctx.state, payload.id);
    // Another patient's tombstone cannot be about this grant: if it blocked the grant, anyone who
    // saw the id in a mempool could pre-empt the consent by revoking it first. The grant replaces it.
    const ownTombstone = existing !== null && isTombstone(existing) && existing.patient === patient;
    if (ownTombstone) {
      reject("CONSENT_TOMBSTONED", `consent ${payload.id} was revoked before it was granted`);
    }
    if (existing !== null && !isTombstone(existing)) {
      reject("ALREADY_EXISTS", `consent ${payload.id} exists`);
    }
    checkPeriod(payload.period);
    if (payload.classes !== undefined && payload.records !== undefined) {
      reject("CONSENT_INVALID", "a consent names record classes or record ids, not both");
    }
    let listKey: string;
    let grantee: StoredConsent["grantee"];
    if ("key" in payload.grantee) {
      const key = hexOf(payload.grantee.key);
      if ((await readIdentity(ctx.state, key)) === null) {
        reject("NOT_FOUND", "the grantee key is not registered");
      }
      if (key === patient) reject("CONSENT_INVALID", "a patient needs no consent for itself");
      listKey = granteeKeyList(patient, key);
      grantee = { key };
    } else {
      await requireOrganization(ctx.state, payload.grantee.org);
      // A grant to an organization covers its keys whose role the purpose's family is for.
      if (!payload.purposes.some((purpose) => orgRolesFor(purpose).length > 0)) {
        reject(
          "CONSENT_INVALID",
          `a grant to an organization names a purpose of ${Object.keys(ORG_ROLES_BY_FAMILY).join(", ")} or a descendant: no role there could use it otherwise`,
        );
      }
      listKey = granteeOrgList(patient, payload.grantee.org);
      grantee = { org: payload.grantee.org };
    }
    await addToGranteeList(ctx.state, listKey, payload.id, ctx.time);
    const consent: StoredConsent = {
      id: payload.id,
      patient,
      grantee,
      actions: [...payload.actions],
      purposes: [...payload.purposes],
      ...(payload.classes !== undefined && { classes: [...payload.classes] }),
      ...(payload.records !== undefined && { records: [...payload.records] }),
      period: payload.period,
      ...(payload.deny !== undefined && { deny: payload.deny }),
      granted: stamp(ctx),
    };
    ctx.state.put(consentKey(payload.id), asCanonical(consent));
    ctx.emit({ type: "consent.granted", attributes: { id: payload.id, patient } });
  },
});

/**
 * `consent.revoke`, by the patient or a delegate in force: effective from this block (an
 * access in an earlier block stands). An unknown id leaves a tombstone, since a client that
 * did not wait for its grant to commit may see the revoke ordered first. Another patient's
 * consent fails UNAUTHORIZED: consent ids are random and the chain is visible to operators
 * anyway, so naming the rule helps more than hiding that the id exists.
 */
export const consentRevoke = defineTxType(TX_TYPES["consent.revoke"], {
  reads: (payload) => [consentKey(payload.id), identityKey(hexOf(payload.patient))],
  async execute(ctx, payload) {
    const patient = hexOf(payload.patient);
    await requirePatientOrDelegate(ctx, patient);
    const existing = await readConsent(ctx.state, payload.id);
    if (existing === null) {
      // Only for a registered patient: else any admitted key could write tombstones without
      // bound, or spend the id of someone's grant it saw pending.
      await requirePatient(ctx.state, patient);
      ctx.state.put(
        consentKey(payload.id),
        asCanonical({ id: payload.id, patient, tombstone: true, revoked: stamp(ctx) }),
      );
      ctx.emit({
        type: "consent.revoked",
        attributes: { id: payload.id, patient, tombstone: true },
      });
      return;
    }
    if (existing.patient !== patient) {
      reject("UNAUTHORIZED", `consent ${payload.id} is another patient's`);
    }
    if (isTombstone(existing)) reject("CONSENT_TOMBSTONED", `consent ${payload.id} is a tombstone`);
    if (existing.revoked !== undefined) {
      reject("CONSENT_REVOKED", `consent ${payload.id} was revoked at ${existing.revoked.height}`);
    }
    ctx.state.put(consentKey(payload.id), asCanonical({ ...existing, revoked: stamp(ctx) }));
    ctx.emit({
      type: "consent.revoked",
      attributes: { id: payload.id, patient, tombstone: false },
    });
  },
});

/**
 * `consent.delegate`, by the patient (a registered patient): names a registered key that may
 * grant, revoke and forget for it within `period`. Naming a delegate again replaces its period.
 * When the list is full, a delegation ended by then makes room.
 */
export const consentDelegate = defineTxType(TX_TYPES["consent.delegate"], {
  reads: (payload) => {
    const patient = hexOf(payload.patient);
    return [identityKey(patient), identityKey(hexOf(payload.delegate)), delegateListKey(patient)];
  },
  async execute(ctx, payload) {
    const patient = hexOf(payload.patient);
    const delegate = hexOf(payload.delegate);
    await requirePatient(ctx.state, patient);
    if (delegate === patient) reject("CONSENT_INVALID", "a patient cannot delegate to itself");
    const identity = await readIdentity(ctx.state, delegate);
    if (identity === null || identity.revokedAt !== undefined) {
      reject("NOT_FOUND", "the delegate is not a registered, unrevoked key");
    }
    checkPeriod(payload.period);
    let delegates = await readIdList(ctx.state, delegateListKey(patient));
    if (!delegates.includes(delegate) && delegates.length >= DELEGATES_MAX) {
      const ended: string[] = [];
      for (const other of delegates) {
        const held = await readDelegation(ctx.state, patient, other);
        if (held === null || (held.period.end !== undefined && held.period.end <= ctx.time)) {
          ended.push(other);
        }
      }
      const [dropped] = ended;
      if (dropped === undefined) reject("LIST_FULL", `a patient keeps ${DELEGATES_MAX} delegates`);
      ctx.state.delete(delegationKey(patient, dropped));
      delegates = delegates.filter((other) => other !== dropped);
    }
    if (!delegates.includes(delegate)) {
      ctx.state.put(delegateListKey(patient), [...delegates, delegate].sort());
    }
    const delegation: Delegation = {
      patient,
      delegate,
      period: payload.period,
      granted: stamp(ctx),
    };
    ctx.state.put(delegationKey(patient, delegate), asCanonical(delegation));
  },
});

/**
 * `consent.undelegate`, by the patient or the delegate: the delegation ends at this block's
 * time (it stays listed, ended, so the patient sees who could act for it and when).
 */
export const consentUndelegate = defineTxType(TX_TYPES["consent.undelegate"], {
  reads: (payload) => [delegationKey(hexOf(payload.patient), hexOf(payload.delegate))],
  async execute(ctx, payload) {
    const patient = hexOf(payload.patient);
    const delegate = hexOf(payload.delegate);
    const delegation = await readDelegation(ctx.state, patient, delegate);
    const over = delegation?.period.end !== undefined && delegation.period.end <= ctx.time;
    if (delegation === null || over) {
      return reject("DELEGATE_NOT_FOUND", "no delegation of this key in force or to come");
    }
    // One that had not started yet ends too: its period becomes empty.
    const start = Math.min(delegation.period.start, ctx.time);
    const ended: Delegation = { ...delegation, period: { start, end: ctx.time } };
    ctx.state.put(delegationKey(patient, delegate), asCanonical(ended));
  },
});
