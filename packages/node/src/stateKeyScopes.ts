import type { StateKeyScope } from "@careledger/api";

/**
 * Who may read which state keys raw (`GET /v1/state/:key`), by key prefix: the ledger's identity
 * and governance keys (organizations, identities, the admin index, the member list, proposals,
 * the consensus configuration) are for member operators. Any other key is `queries-only`, so a
 * new module's state is never raw-readable until it says so here: a scoped module (consent,
 * records, claims) reads only through its queries, and a module lists here the prefixes it
 * publishes (`public`) for light clients.
 */
const STATE_KEY_SCOPES: ReadonlyArray<{ readonly prefix: string; readonly scope: StateKeyScope }> =
  [
    { prefix: "org/", scope: "operators" },
    { prefix: "identity/", scope: "operators" },
    { prefix: "admin/", scope: "operators" },
    { prefix: "gov/", scope: "operators" },
    { prefix: "consensus/", scope: "operators" },
  ];

/** Exact keys, where a prefix would also cover keys of another module. */
const STATE_KEYS_EXACT: ReadonlyMap<string, StateKeyScope> = new Map([["orgs", "operators"]]);

export function stateKeyScope(key: string): StateKeyScope {
  const exact = STATE_KEYS_EXACT.get(key);
  if (exact !== undefined) return exact;
  return STATE_KEY_SCOPES.find((rule) => key.startsWith(rule.prefix))?.scope ?? "queries-only";
}
