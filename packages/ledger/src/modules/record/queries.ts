import { type Canonical, CareLedgerError, isRecordParty, QUERIES } from "@careledger/protocol";
import { admittedByContract, requireDelegate } from "../consent/queries.js";
import { delegateInForce } from "../consent/state.js";
import { definePagedQuery, defineQuery, type Query, scanPage } from "../module.js";
import { RECORDS_BY_PATIENT_INDEX } from "./indexes.js";
import { readRecord } from "./state.js";

/**
 * `record.get`: operators, and (judged here) the patient, its delegates in force and the
 * custodian organization's people. Others are refused even for an unknown id.
 */
const get = defineQuery(QUERIES["record.get"], async (reader, params, caller) => {
  const record = await readRecord(reader, params.id);
  if (caller !== null && !admittedByContract(QUERIES["record.get"], caller, params)) {
    const party =
      record !== null &&
      isRecordParty(
        caller,
        record,
        await delegateInForce(reader, record.patient, caller.key, reader.time),
      );
    if (!party) {
      throw new CareLedgerError("FORBIDDEN", "only the patient, its delegates and the custodian");
    }
  }
  return record as unknown as Canonical;
});

/** `record.ofPatient`: from the node-local `byPatient` index, in record id order. */
const ofPatient = definePagedQuery(
  QUERIES["record.ofPatient"],
  async (reader, params, caller, page) => {
    if (caller !== null && !admittedByContract(QUERIES["record.ofPatient"], caller, params)) {
      await requireDelegate(reader, params.patient, caller);
    }
    const prefix = `${params.patient}/`;
    const index = reader.index(RECORDS_BY_PATIENT_INDEX);
    const { entries, resumeAfter } = await scanPage(index, prefix, page);
    const items: Canonical[] = [];
    for (const [key] of entries) {
      const record = await readRecord(reader, key.slice(prefix.length));
      if (record !== null) items.push(record as unknown as Canonical);
    }
    return { items, resumeAfter };
  },
);

export const recordQueries: readonly Query[] = [get, ofPatient];
