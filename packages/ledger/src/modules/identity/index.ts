import type { LedgerModule } from "../module.js";
import { membersIndex } from "./indexes.js";
import { identityQueries } from "./queries.js";
import { identityRegister, identityRevoke, orgRevokeAdmin } from "./transactions.js";

export const identityModule: LedgerModule = {
  name: "identity",
  txTypes: [identityRegister, identityRevoke, orgRevokeAdmin],
  queries: identityQueries,
  indexes: [membersIndex],
  // Organizations and registrations: the consortium's directory, for its operators.
  rawState: "operators",
};
