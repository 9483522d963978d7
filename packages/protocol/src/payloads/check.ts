import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { CareLedgerError } from "../errors.js";

/** A compiled payload schema: `check` throws `TX_PAYLOAD_INVALID` naming the first violation. */
export interface PayloadChecker<S extends TSchema> {
  readonly schema: S;
  check(value: unknown): Static<S>;
}

/**
 * A schema checked partly in code: `compiled` is `schema` without the rules TypeBox checks slowly
 * (uniqueItems hashes every item with a JavaScript FNV-1a: 1.7% of a validator's busy time under
 * `pnpm bench`), and `refine` checks those rules, returning the violation or undefined.
 */
export interface PayloadRefinement<S extends TSchema> {
  readonly compiled: TSchema;
  refine(value: Static<S>): string | undefined;
}

export function payloadChecker<S extends TSchema>(
  schema: S,
  refinement?: PayloadRefinement<S>,
): PayloadChecker<S> {
  const compiled = TypeCompiler.Compile(refinement?.compiled ?? schema);
  return {
    schema,
    check(value) {
      if (!compiled.Check(value)) {
        const first = compiled.Errors(value).First();
        const where = first ? `${first.path || "/"}: ${first.message}` : "shape";
        throw new CareLedgerError("TX_PAYLOAD_INVALID", where);
      }
      const violation = refinement?.refine(value as Static<S>);
      if (violation !== undefined) throw new CareLedgerError("TX_PAYLOAD_INVALID", violation);
      return value as Static<S>;
    },
  };
}
