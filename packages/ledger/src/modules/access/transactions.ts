import {
  type AccessEntry,
  type AccessResult,
  type Canonical,
  type RecordView,
  TX_TYPES,
} from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import { decideAccess, decisionReads } from "../consent/decision.js";
import { identityKey, readIdentity } from "../identity/state.js";
import { defineTxType, reject } from "../module.js";
import { latestVersion, recordKey, requireRecord } from "../record/state.js";
import { breakGlassKey, readBreakGlass } from "./state.js";

/**
 * `access.log`, by the accessor before it reads: decided against the consents in force at this
 * block (consent/decision.ts). A record that does not exist, is being or was forgotten, or lacks
 * the version asked for fails the transaction; otherwise it commits, permit or deny, with the
 * AccessResult as its receipt's result, which the custodian checks before it discloses and the
 * histories index. A break-the-glass access is also kept for its organization's review.
 */
export const accessLog = defineTxType(TX_TYPES["access.log"], {
  reads: (payload, _tx, sender) => [recordKey(payload.record), identityKey(sender)],
  readsAfter(payload, sender, known) {
    const record = known(recordKey(payload.record)) as RecordView | null | undefined;
    return record ? decisionReads(sender, record.patient, known) : [];
  },
  async execute(ctx, payload) {
    const record = await requireRecord(ctx.state, payload.record);
    if (record.status !== "active") {
      reject("RECORD_FORGOTTEN", `record ${record.id} is ${record.status}`);
    }
    const latest = latestVersion(record);
    const version = payload.version ?? latest;
    if (version > latest)
      reject("RECORD_NOT_FOUND", `record ${record.id} has no version ${version}`);
    const decision = await decideAccess(ctx.state, {
      accessor: ctx.sender,
      patient: record.patient,
      record: record.id,
      class: record.class,
      action: payload.action,
      purpose: payload.purpose,
      time: ctx.time,
    });
    const accessorOrg = (await readIdentity(ctx.state, ctx.sender))?.org ?? null;
    const result: AccessResult = {
      ...decision,
      accessor: ctx.sender,
      accessorOrg,
      patient: record.patient,
      record: record.id,
      version,
      class: record.class,
      custodian: record.custodian,
      action: payload.action,
      purpose: payload.purpose,
    };
    if (decision.breakGlass) {
      // A break-the-glass permit needs a clinician, so a registration, so an organization.
      if (accessorOrg === null) throw new Error("break the glass without an organization");
      const entry: AccessEntry = {
        ...result,
        access: ctx.idHex,
        height: ctx.height,
        time: ctx.time,
      };
      ctx.state.put(breakGlassKey(accessorOrg, ctx.idHex), entry as unknown as Canonical);
    }
    ctx.result(result as unknown as Canonical);
    // Small on purpose: subscribers learn which record was decided how, and read the rest in
    // the receipt's result; every event is encoded and checked again, per transaction.
    ctx.emit({
      type: "access.logged",
      attributes: {
        record: record.id,
        decision: decision.decision,
        breakGlass: decision.breakGlass,
      },
    });
  },
});

/**
 * `access.review`, by an admin of the organization whose clinician broke the glass: closes
 * that access's review. Its receipt's result is the history entry with the review, which the
 * histories index in place of the entry without it.
 */
export const accessReview = defineTxType(TX_TYPES["access.review"], {
  reads: (payload) => [breakGlassKey(payload.org, hexOf(payload.access))],
  async execute(ctx, payload) {
    const access = hexOf(payload.access);
    const entry = await readBreakGlass(ctx.state, payload.org, access);
    if (entry === null) {
      return reject(
        "ACCESS_NOT_FOUND",
        `no break-the-glass access ${access} awaits ${payload.org}`,
      );
    }
    // The one who broke the glass does not judge it, even as an admin of its organization.
    if (entry.accessor === ctx.sender) {
      reject("UNAUTHORIZED", "the accessor may not review its own break-the-glass access");
    }
    ctx.state.delete(breakGlassKey(payload.org, access));
    const review = {
      justified: payload.justified,
      height: ctx.height,
      time: ctx.time,
      by: ctx.sender,
    };
    const reviewed: AccessEntry = { ...entry, review };
    ctx.result(reviewed as unknown as Canonical);
    ctx.emit({
      type: "access.reviewed",
      attributes: { access, org: payload.org, justified: payload.justified },
    });
  },
});
