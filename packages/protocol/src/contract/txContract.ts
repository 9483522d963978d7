import type { Static, TSchema } from "@sinclair/typebox";
import type { Canonical } from "../encoding.js";
import type { PayloadChecker } from "../payloads/check.js";
import type { IdentityRole } from "../payloads/identity.js";

/**
 * Who may send a transaction type, as data: the ledger checks these rules before the handler runs
 * (a sender that meets none fails UNAUTHORIZED), and the API and docs print them. Fields name
 * properties of the payload, which the contract checks the payload's schema requires with the type
 * the rule reads (key bytes for a `keyField`, a string for an `orgField`): the ledger reads them
 * before the handler runs, so a rule must never meet a missing or mistyped field.
 */
export type SenderRule =
  /** An admin of the organization whose id is the payload's `orgField`. */
  | { readonly rule: "orgAdmin"; readonly orgField: string }
  /** An admin of the organization the key in the payload's `keyField` is registered to. */
  | { readonly rule: "keyOrgAdmin"; readonly keyField: string }
  /** A node key the organization in the payload's `orgField` lists (its custodian service). */
  | { readonly rule: "orgNode"; readonly orgField: string }
  /** The key in the payload's `keyField` itself. */
  | { readonly rule: "self"; readonly keyField: string }
  /** A registered identity with one of `roles` (of the organization in `orgField`, if given). */
  | {
      readonly rule: "role";
      readonly roles: readonly IdentityRole[];
      readonly orgField?: string;
    }
  /**
   * A rule on module state only the handler can judge (a delegate the patient named, the current
   * custodian of a pack): the ledger lets the transaction through to the handler, which must check.
   */
  | { readonly rule: "handler"; readonly says: string };

/** One transaction type: its name, what it does, its payload schema and who may send it. */
export interface TxTypeContract<S extends TSchema = TSchema> {
  readonly type: string;
  readonly summary: string;
  readonly payload: PayloadChecker<S>;
  /** Any one rule that holds admits the sender; never empty. */
  readonly senders: readonly SenderRule[];
  /** A valid payload, for the docs and for the tests that walk every type. */
  readonly example: Static<S> & Canonical;
}

const TX_TYPE_PATTERN = /^[a-z][a-zA-Z0-9]{0,30}\.[a-z][a-zA-Z0-9]{0,31}$/;

/**
 * Checks a contract entry is coherent: a `module.verb` name, at least one sender rule, every
 * field a rule names a required property of the payload schema of the type the rule reads, and an
 * example its checker accepts. Throws an Error naming the fault (a programming error, found at
 * start or in tests).
 */
export function checkTxContract(entry: TxTypeContract): void {
  const fail = (why: string): never => {
    throw new Error(`tx type ${entry.type}: ${why}`);
  };
  if (!TX_TYPE_PATTERN.test(entry.type)) fail("name is not module.verb");
  if (entry.senders.length === 0) fail("no sender rule");
  const schema = entry.payload.schema as {
    properties?: Record<string, { type?: unknown }>;
    required?: readonly string[];
  };
  for (const rule of entry.senders) {
    for (const [field, type] of fieldsOf(rule)) {
      const property = schema.properties?.[field];
      if (property === undefined || !Object.hasOwn(schema.properties ?? {}, field)) {
        fail(`sender rule ${rule.rule} names ${field}, which the payload lacks`);
      }
      if (schema.required?.includes(field) !== true) {
        fail(`sender rule ${rule.rule} names ${field}, which the payload does not require`);
      }
      if (property?.type !== type) {
        fail(
          `sender rule ${rule.rule} reads ${field} as ${type}, which the payload types otherwise`,
        );
      }
    }
  }
  entry.payload.check(entry.example);
}

/** The payload fields a rule reads, with the schema type each must have. */
function fieldsOf(rule: SenderRule): Array<[string, "Uint8Array" | "string"]> {
  switch (rule.rule) {
    case "orgAdmin":
    case "orgNode":
      return [[rule.orgField, "string"]];
    case "keyOrgAdmin":
    case "self":
      return [[rule.keyField, "Uint8Array"]];
    case "role":
      return rule.orgField === undefined ? [] : [[rule.orgField, "string"]];
    case "handler":
      return [];
  }
}
/** The sender rules in words, for docs and for the reason of an UNAUTHORIZED receipt. */
export function describeSenders(rules: readonly SenderRule[]): string {
  return rules.map(describeRule).join(", or ");
}

function describeRule(rule: SenderRule): string {
  switch (rule.rule) {
    case "orgAdmin":
      return `an admin of the organization in ${rule.orgField}`;
    case "keyOrgAdmin":
      return `an admin of the organization of the key in ${rule.keyField}`;
    case "orgNode":
      return `a node of the organization in ${rule.orgField}`;
    case "self":
      return `the key in ${rule.keyField} itself`;
    case "role": {
      const of = rule.orgField === undefined ? "" : ` of the organization in ${rule.orgField}`;
      return `a ${rule.roles.join(" or ")}${of}`;
    }
    case "handler":
      return rule.says;
  }
}
