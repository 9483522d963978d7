import {
  checkTxContract,
  QUERIES,
  type QueryContract,
  TX_TYPES,
  type TxTypeContract,
} from "@careledger/protocol";
import { accessModule } from "./access/index.js";
import { claimsModule } from "./claims/index.js";
import { consentModule } from "./consent/index.js";
import { governanceModule } from "./governance/index.js";
import { identityModule } from "./identity/index.js";
import type { LedgerModule, Query, TxType } from "./module.js";
import { type StateScope, scopeOf } from "./namespace.js";
import { provenanceModule } from "./provenance/index.js";
import { recordModule } from "./record/index.js";

/** The built-in modules. A new module is a directory under modules/ and one line here. */
export const BUILTIN_MODULES: readonly LedgerModule[] = [
  identityModule,
  governanceModule,
  consentModule,
  accessModule,
  recordModule,
  claimsModule,
  provenanceModule,
];

const INDEX_NAME_PATTERN = /^[a-z][a-zA-Z0-9]{0,31}$/;

/** The contract the modules implement: protocol's, or a test's superset of it. */
export interface LedgerContract {
  readonly txTypes: Readonly<Record<string, TxTypeContract>>;
  readonly queries: Readonly<Record<string, QueryContract>>;
}

export const BUILTIN_CONTRACT: LedgerContract = { txTypes: TX_TYPES, queries: QUERIES };

/**
 * Transaction types and queries by name, from one list of modules; names must be unique, and
 * the modules must implement the contract exactly: every transaction type is bound to the
 * contract's own entry of its name, and every entry has a type.
 */
export class ModuleRegistry {
  private readonly txTypes = new Map<string, TxType>();
  private readonly queries = new Map<string, Query>();
  private readonly scopes = new Map<string, StateScope>();
  private readonly moduleScopes = new Map<string, StateScope>();

  constructor(
    readonly modules: readonly LedgerModule[] = BUILTIN_MODULES,
    readonly contract: LedgerContract = BUILTIN_CONTRACT,
  ) {
    const names = new Set(modules.map((module) => module.name));
    for (const module of modules) {
      if (!/^[a-z][a-z0-9]{0,31}$/.test(module.name)) throw new Error(`module name ${module.name}`);
      for (const used of Object.keys(module.uses ?? {})) {
        if (!names.has(used)) throw new Error(`module ${module.name} uses unknown module ${used}`);
      }
      const scope = scopeOf(module);
      this.moduleScopes.set(module.name, scope);
      for (const txType of module.txTypes) {
        const { type } = txType.contract;
        if (this.txTypes.has(type)) throw new Error(`duplicate tx type ${type}`);
        if (contract.txTypes[type] !== txType.contract) {
          throw new Error(`tx type ${type} of module ${module.name} is not the contract's entry`);
        }
        checkTxContract(txType.contract);
        this.txTypes.set(type, txType);
        this.scopes.set(`tx:${type}`, scope);
      }
      for (const query of module.queries) {
        const { name } = query.contract;
        if (this.queries.has(name)) throw new Error(`duplicate query ${name}`);
        if (contract.queries[name] !== query.contract) {
          throw new Error(`query ${name} of module ${module.name} is not the contract's entry`);
        }
        this.queries.set(name, query);
        this.scopes.set(`query:${name}`, scope);
      }
    }
    for (const type of Object.keys(contract.txTypes)) {
      if (!this.txTypes.has(type)) throw new Error(`no module handles tx type ${type}`);
    }
    for (const module of modules) this.checkIndexes(module);
    for (const name of Object.keys(contract.queries)) {
      if (!this.queries.has(name)) throw new Error(`no module answers query ${name}`);
    }
  }

  /**
   * A module's indexes: a name fit for a key segment (`x<module>/<index>/`, so no `/`), unique in
   * the module, a positive version, and fed by registered transaction types (of any module: an
   * audit index may follow another module's transactions); a mistyped feed would keep an index
   * silently empty.
   */
  private checkIndexes(module: LedgerModule): void {
    const seen = new Set<string>();
    for (const index of module.indexes ?? []) {
      const what = `index ${module.name}/${index.name}`;
      if (!INDEX_NAME_PATTERN.test(index.name))
        throw new Error(`${what}: name is not an index name`);
      if (seen.has(index.name)) throw new Error(`${what}: duplicate index name`);
      seen.add(index.name);
      if (!Number.isSafeInteger(index.version) || index.version < 1) {
        throw new Error(`${what}: version is not a positive integer`);
      }
      if (index.feeds.length === 0) throw new Error(`${what}: fed by no transaction type`);
      for (const type of index.feeds) {
        if (!this.txTypes.has(type)) throw new Error(`${what}: feeds on unknown tx type ${type}`);
      }
    }
  }

  txType(type: string): TxType | undefined {
    return this.txTypes.get(type);
  }

  /** The state scope of a registered transaction type's module. */
  txScope(type: string): StateScope {
    return this.scopes.get(`tx:${type}`) as StateScope;
  }

  /** The state scope of a registered query's module. */
  queryScope(name: string): StateScope {
    return this.scopes.get(`query:${name}`) as StateScope;
  }

  /** The state scope of a registered module (its namespace and what it `uses`). */
  moduleScope(name: string): StateScope {
    const scope = this.moduleScopes.get(name);
    if (scope === undefined) throw new Error(`no module ${name}`);
    return scope;
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
