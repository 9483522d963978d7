import type { RecordAnchorPayload } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import type { IndexDefinition } from "../module.js";

export const RECORDS_BY_PATIENT_INDEX = "byPatient";

/** `byPatient`: `<patient>/<record id>` for every committed anchor: a patient's records. */
export const recordsByPatient: IndexDefinition = {
  name: RECORDS_BY_PATIENT_INDEX,
  version: 1,
  feeds: ["record.anchor"],
  entries({ payload, receipt, height }) {
    if (receipt.status !== "ok") return [];
    const { patient, id } = payload as RecordAnchorPayload;
    return [[`${hexOf(patient)}/${id}`, height]];
  },
};
