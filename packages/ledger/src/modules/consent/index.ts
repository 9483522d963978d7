import type { LedgerModule } from "../module.js";
import { consentFhirRoutes } from "./fhirRoutes.js";
import { consentsByKey, consentsByOrg, consentsByPatient } from "./indexes.js";
import { consentQueries } from "./queries.js";
import { consentDelegate, consentGrant, consentRevoke, consentUndelegate } from "./transactions.js";

/**
 * Consents and delegations under `consent/`. Reads identity (patients, grantees, clinical
 * roles) and records (a decision about a record reads its patient and class). Raw state stays
 * closed: consents are the patient's, readable only through the queries' rules.
 */
export const consentModule: LedgerModule = {
  name: "consent",
  uses: { identity: "read", record: "read" },
  txTypes: [consentGrant, consentRevoke, consentDelegate, consentUndelegate],
  queries: consentQueries,
  indexes: [consentsByPatient, consentsByKey, consentsByOrg],
  routes: consentFhirRoutes,
};
