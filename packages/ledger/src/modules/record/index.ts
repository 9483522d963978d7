import type { LedgerModule } from "../module.js";
import { custodianSettings, recordRoutes, recordWorker } from "./custodian/index.js";
import { recordsByPatient } from "./indexes.js";
import { recordQueries } from "./queries.js";
import { recordAmend, recordAnchor, recordForget, recordForgotten } from "./transactions.js";

/**
 * Records' metadata under `record/` (`record/<id>` is a RecordView; the content stays at the
 * custodian). Reads identity (patients, custodians) and consent (delegates in force). Its routes
 * and worker are the custodian's (custodian/README.md): upload and read of the encrypted content,
 * and its erasure after a forget.
 */
export const recordModule: LedgerModule = {
  name: "record",
  uses: { identity: "read", consent: "read" },
  txTypes: [recordAnchor, recordAmend, recordForget, recordForgotten],
  queries: recordQueries,
  indexes: [recordsByPatient],
  // The node config's `modules.record` section, checked here: a bad setting stops the start.
  routes: (services) => recordRoutes(services, custodianSettings(services.settings)),
  worker: (services) => recordWorker(services),
};
