import type { LedgerModule } from "../module.js";
import { governanceQueries } from "./queries.js";
import { govPropose, govVote } from "./transactions.js";

/**
 * Governance keeps its proposals and the consensus configuration under `gov/`, and writes the
 * identity module's organizations: membership changes are what the consortium votes on.
 */
export const governanceModule: LedgerModule = {
  name: "gov",
  uses: { identity: "write" },
  txTypes: [govPropose, govVote],
  queries: governanceQueries,
  rawState: "operators",
};
