import { RECORD_VERSIONS_MAX, type RecordView, TX_TYPES } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import { requirePatient, requirePatientOrDelegate, stamp } from "../consent/state.js";
import { identityKey, orgKey, requireOrganization } from "../identity/state.js";
import { defineTxType, reject } from "../module.js";
import {
  claimHash,
  latestVersion,
  readRecord,
  recordHashKey,
  recordKey,
  requireRecord,
  writeRecord,
} from "./state.js";

/**
 * `record.anchor`, by a clinician or staff of the custodian (the contract's role rule): version
 * 1 of a new record of a registered patient. Any member organization may be a custodian, not
 * only hospitals and clinics: labs hold results and pharmacies dispensing records, and the
 * sender rule already ties the record to the organization whose people anchor it.
 */
export const recordAnchor = defineTxType(TX_TYPES["record.anchor"], {
  reads: (payload) => [
    recordKey(payload.id),
    identityKey(hexOf(payload.patient)),
    orgKey(payload.custodian),
    recordHashKey(hexOf(payload.hash)),
  ],
  async execute(ctx, payload) {
    if ((await readRecord(ctx.state, payload.id)) !== null) {
      reject("ALREADY_EXISTS", `record ${payload.id} exists`);
    }
    await requireOrganization(ctx.state, payload.custodian);
    const patient = hexOf(payload.patient);
    await requirePatient(ctx.state, patient);
    await claimHash(ctx.state, hexOf(payload.hash), payload.id, 1);
    const record: RecordView = {
      id: payload.id,
      patient,
      class: payload.class,
      custodian: payload.custodian,
      status: "active",
      versions: [{ version: 1, hash: hexOf(payload.hash), anchored: stamp(ctx) }],
    };
    writeRecord(ctx.state, record);
    ctx.emit({
      type: "record.anchored",
      attributes: { id: payload.id, custodian: payload.custodian, version: 1 },
    });
  },
});

/** The record, which must still be active: a forgotten one takes no version (RECORD_FORGOTTEN). */
async function requireActive(state: Parameters<typeof readRecord>[0], id: string) {
  const record = await requireRecord(state, id);
  if (record.status !== "active") reject("RECORD_FORGOTTEN", `record ${id} is ${record.status}`);
  return record;
}

/**
 * `record.amend`, by a clinician or staff of the record's custodian: the next version, which
 * must follow the latest (`previous`), so two concurrent amends cannot both land.
 */
export const recordAmend = defineTxType(TX_TYPES["record.amend"], {
  reads: (payload) => [recordKey(payload.id), recordHashKey(hexOf(payload.hash))],
  async execute(ctx, payload) {
    const record = await requireRecord(ctx.state, payload.id);
    if (record.custodian !== payload.custodian) {
      reject("UNAUTHORIZED", `record ${payload.id} is held by ${record.custodian}`);
    }
    await requireActive(ctx.state, payload.id);
    const latest = latestVersion(record);
    if (payload.previous !== latest) {
      reject("RECORD_VERSION_CONFLICT", `the latest version is ${latest}, not ${payload.previous}`);
    }
    if (record.versions.length >= RECORD_VERSIONS_MAX) {
      reject("LIST_FULL", `a record keeps at most ${RECORD_VERSIONS_MAX} versions`);
    }
    await claimHash(ctx.state, hexOf(payload.hash), payload.id, latest + 1);
    const version = { version: latest + 1, hash: hexOf(payload.hash), anchored: stamp(ctx) };
    writeRecord(ctx.state, { ...record, versions: [...record.versions, version] });
    ctx.emit({
      type: "record.amended",
      attributes: { id: payload.id, custodian: record.custodian, version: latest + 1 },
    });
  },
});

/**
 * `record.forget`, by the patient or a delegate in force: the record turns `forgetting`, which
 * tells its custodian's node to erase its keys and ciphertext; accesses fail from this block.
 */
export const recordForget = defineTxType(TX_TYPES["record.forget"], {
  reads: (payload) => [recordKey(payload.id)],
  async execute(ctx, payload) {
    const patient = hexOf(payload.patient);
    const record = await requireRecord(ctx.state, payload.id);
    if (record.patient !== patient) reject("UNAUTHORIZED", `record ${payload.id} is another's`);
    await requirePatientOrDelegate(ctx, patient);
    await requireActive(ctx.state, payload.id);
    writeRecord(ctx.state, { ...record, status: "forgetting", forgetRequested: stamp(ctx) });
    ctx.emit({
      type: "record.forgetting",
      attributes: { id: payload.id, custodian: record.custodian },
    });
  },
});

/** `record.forgotten`, by a node of the record's custodian, once it erased the content. */
export const recordForgotten = defineTxType(TX_TYPES["record.forgotten"], {
  reads: (payload) => [recordKey(payload.id)],
  async execute(ctx, payload) {
    const record = await requireRecord(ctx.state, payload.id);
    if (record.custodian !== payload.custodian) {
      reject("UNAUTHORIZED", `record ${payload.id} is held by ${record.custodian}`);
    }
    if (record.status !== "forgetting") {
      reject("RECORD_NOT_FORGETTING", `record ${payload.id} is ${record.status}`);
    }
    writeRecord(ctx.state, { ...record, status: "forgotten", forgotten: stamp(ctx) });
    ctx.emit({
      type: "record.forgotten",
      attributes: { id: payload.id, custodian: record.custodian },
    });
  },
});
