import type { LedgerModule } from "../module.js";
import { governanceQueries } from "./queries.js";
import { govPropose, govVote } from "./transactions.js";

export const governanceModule: LedgerModule = {
  name: "governance",
  txTypes: [govPropose, govVote],
  queries: governanceQueries,
};
