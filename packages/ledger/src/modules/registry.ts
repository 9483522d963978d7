import { governanceModule } from "./governance/index.js";
import { identityModule } from "./identity/index.js";
import type { LedgerModule, Query, TxType } from "./module.js";

/** The built-in modules. A new module is a directory under modules/ and one line here. */
export const BUILTIN_MODULES: readonly LedgerModule[] = [identityModule, governanceModule];

/** Transaction types and queries by name, from one list of modules; names must be unique. */
export class ModuleRegistry {
  private readonly txTypes = new Map<string, TxType>();
  private readonly queries = new Map<string, Query>();

  constructor(readonly modules: readonly LedgerModule[] = BUILTIN_MODULES) {
    for (const module of modules) {
      for (const txType of module.txTypes) {
        if (this.txTypes.has(txType.type)) throw new Error(`duplicate tx type ${txType.type}`);
        this.txTypes.set(txType.type, txType);
      }
      for (const query of module.queries) {
        if (this.queries.has(query.name)) throw new Error(`duplicate query ${query.name}`);
        this.queries.set(query.name, query);
      }
    }
  }

  txType(type: string): TxType | undefined {
    return this.txTypes.get(type);
  }

  query(name: string): Query | undefined {
    return this.queries.get(name);
  }

  get txTypeNames(): string[] {
    return [...this.txTypes.keys()];
  }

  get queryNames(): string[] {
    return [...this.queries.keys()];
  }
}
