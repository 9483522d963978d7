import type { LedgerModule } from "../module.js";
import { accessFhirRoutes } from "./fhirRoutes.js";
import { custodianIndex, historyIndex } from "./indexes.js";
import { accessQueries } from "./queries.js";
import { accessLog, accessReview } from "./transactions.js";

/**
 * Audited access under `access/`: decides with the consent module's decision, on the consent,
 * record and identity state it reads (never writes).
 */
export const accessModule: LedgerModule = {
  name: "access",
  uses: { consent: "read", record: "read", identity: "read" },
  txTypes: [accessLog, accessReview],
  queries: accessQueries,
  indexes: [historyIndex, custodianIndex],
  routes: accessFhirRoutes,
};
