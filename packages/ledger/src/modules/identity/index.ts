import type { LedgerModule } from "../module.js";
import { identityQueries } from "./queries.js";
import { identityRegister, identityRevoke } from "./transactions.js";

export const identityModule: LedgerModule = {
  name: "identity",
  txTypes: [identityRegister, identityRevoke],
  queries: identityQueries,
};
