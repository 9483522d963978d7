import type { StateKeyScope } from "@careledger/api";
import type { LedgerModule } from "@careledger/ledger";

/**
 * Who may read a state key raw (`GET /v1/state/:key`): what the module owning the key's
 * namespace (`<module>/...`) declares in `rawState`, and `queries-only` for a module that
 * declares nothing or a key in no module's namespace, so a new module's state is never
 * raw-readable until its definition says so.
 */
export function stateKeyScopes(modules: readonly LedgerModule[]): (key: string) => StateKeyScope {
  const byNamespace = new Map(modules.map((module) => [`${module.name}/`, module.rawState]));
  return (key) => {
    const slash = key.indexOf("/");
    const declared = slash < 0 ? undefined : byNamespace.get(key.slice(0, slash + 1));
    return declared ?? "queries-only";
  };
}
