import type { LedgerModule } from "../module.js";
import { recordsByPatient } from "./indexes.js";
import { recordQueries } from "./queries.js";
import { recordAmend, recordAnchor, recordForget, recordForgotten } from "./transactions.js";

/**
 * Records' metadata under `record/` (`record/<id>` is a RecordView; the content stays at the
 * custodian). Reads identity (patients, custodians) and consent (delegates in force).
 */
export const recordModule: LedgerModule = {
  name: "record",
  uses: { identity: "read", consent: "read" },
  txTypes: [recordAnchor, recordAmend, recordForget, recordForgotten],
  queries: recordQueries,
  indexes: [recordsByPatient],
};
