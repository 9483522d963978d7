import { type Canonical, CareLedgerError } from "@careledger/protocol";
import type { StateAccess } from "../state/blockState.js";
import type { LedgerModule, QueryReader } from "./module.js";

/** The key prefixes a module's handlers and queries may read and write. */
export interface StateScope {
  readonly module: string;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
}

/**
 * A module's scope: its own namespace `<name>/`, read and written, plus the other modules'
 * namespaces it declares in `uses` (read, or also write).
 */
export function scopeOf(module: LedgerModule): StateScope {
  const own = `${module.name}/`;
  const used = Object.entries(module.uses ?? {});
  return {
    module: module.name,
    reads: [own, ...used.map(([name]) => `${name}/`)],
    writes: [own, ...used.filter(([, mode]) => mode === "write").map(([name]) => `${name}/`)],
  };
}

function refuse(scope: StateScope, verb: string, key: string): never {
  throw new CareLedgerError(
    "STATE_KEY_FORBIDDEN",
    `module ${scope.module} may not ${verb} ${key}: outside its namespace and what it declares`,
  );
}

/** A plain loop: this runs on every state access of every transaction. */
function within(prefixes: readonly string[], key: string): boolean {
  for (const prefix of prefixes) if (key.startsWith(prefix)) return true;
  return false;
}

/**
 * The state a module's handler sees: reads and writes outside its scope fail the transaction
 * with STATE_KEY_FORBIDDEN (a handler's bug, the same on every validator), so one module can
 * never corrupt another's state by accident.
 */
export class ScopedState implements StateAccess {
  constructor(
    private readonly inner: StateAccess,
    private readonly scope: StateScope,
  ) {}

  get(key: string): Canonical | null | Promise<Canonical | null> {
    if (!within(this.scope.reads, key)) refuse(this.scope, "read", key);
    return this.inner.get(key);
  }

  put(key: string, value: Canonical): void {
    if (!within(this.scope.writes, key)) refuse(this.scope, "write", key);
    this.inner.put(key, value);
  }

  delete(key: string): void {
    if (!within(this.scope.writes, key)) refuse(this.scope, "delete", key);
    this.inner.delete(key);
  }
}

/** A query's reader, limited to the reads of its module's scope. */
export function scopedReader(reader: QueryReader, scope: StateScope): QueryReader {
  return {
    height: reader.height,
    time: reader.time,
    get: (key) => (within(scope.reads, key) ? reader.get(key) : refuse(scope, "read", key)),
    scan: (prefix, options) =>
      within(scope.reads, prefix) ? reader.scan(prefix, options) : refuse(scope, "scan", prefix),
    index: (name) => reader.index(name),
  };
}
