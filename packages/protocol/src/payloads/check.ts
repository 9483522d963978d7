import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { CareLedgerError } from "../errors.js";

/** A compiled payload schema: `check` throws `TX_PAYLOAD_INVALID` naming the first violation. */
export interface PayloadChecker<S extends TSchema> {
  readonly schema: S;
  check(value: unknown): Static<S>;
}

export function payloadChecker<S extends TSchema>(schema: S): PayloadChecker<S> {
  const compiled = TypeCompiler.Compile(schema);
  return {
    schema,
    check(value) {
      if (!compiled.Check(value)) {
        const first = compiled.Errors(value).First();
        const where = first ? `${first.path || "/"}: ${first.message}` : "shape";
        throw new CareLedgerError("TX_PAYLOAD_INVALID", where);
      }
      return value;
    },
  };
}
