import { CareLedgerError } from "@careledger/protocol";

/**
 * The renderings take views the ledger's queries produced under the protocol's contract; one
 * that breaks it (a bad key, a negative time) is the node's fault, not the caller's, so it fails
 * as INTERNAL (a 500 whose message the api keeps to the node's log).
 */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CareLedgerError("INTERNAL", `FHIR rendering: ${message}`);
}
