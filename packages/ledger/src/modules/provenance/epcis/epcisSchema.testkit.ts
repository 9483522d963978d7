import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * The GS1 EPCIS 2.0 JSON Schema (gs1/EPCIS @2b888be, copied from shared/standards/epcis into
 * `standard/` so the tests need no network and no checkout beside this one), loaded as
 * shared/standards/README.md found to work: ajv 8, `strict: false`, ajv-formats.
 */
const standardFile = (name: string) => new URL(`./standard/${name}`, import.meta.url);

let validate: ValidateFunction | undefined;

/** What the schema finds wrong with a document or event, one line per error; [] if valid. */
export function epcisSchemaErrors(document: unknown): string[] {
  if (validate === undefined) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormatsModule.default(ajv);
    validate = ajv.compile(
      JSON.parse(readFileSync(standardFile("EPCIS-JSON-Schema.json"), "utf8")),
    );
  }
  if (validate(document)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ""}`);
}

/** One of the standard's own example documents. */
export function officialExample(name: string): unknown {
  return JSON.parse(readFileSync(standardFile(name), "utf8"));
}

export const OFFICIAL_EXAMPLES = [
  "Example_9.6.1-ObjectEvent.jsonld",
  "Example_9.6.1-ObjectEventWithDigitalLink.jsonld",
] as const;
