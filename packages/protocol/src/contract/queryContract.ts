import { type Static, type TProperties, type TSchema, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { CareLedgerError } from "../errors.js";
import type { IdentityRole } from "../payloads/identity.js";
import { isMemberStaff, isOperator, type QueryCaller } from "./caller.js";

/** Most items one page of a paged query holds, and how many when the caller does not say. */
export const QUERY_PAGE_ITEMS_MAX = 1_000;
export const QUERY_PAGE_ITEMS_DEFAULT = 100;
/** Longest resume cursor a caller may hand back (base64url of the query name and a key). */
export const QUERY_CURSOR_CHARS_MAX = 1_024;

/**
 * Who may run a query, as data (DOMAIN.md "Who sees what"); any one rule that holds admits the
 * caller. Everything but `public` needs a signed request from a registered, unrevoked key.
 */
export type AccessRule =
  /** Anyone, unsigned: node status, headers, product verification. */
  | { readonly rule: "public" }
  /** Any registered, unrevoked identity or organization admin. */
  | { readonly rule: "member" }
  /** A member operator (`isOperator`: an organization admin or an `operator` key). */
  | { readonly rule: "operator" }
  /**
   * A member organization's people (`isMemberStaff`: an admin of it, or a key registered at it
   * with any role, never a key holding patient or device), of the organization in `orgParam`
   * if given. Not the `staff` role: that is one business role among the others.
   */
  | { readonly rule: "member-staff"; readonly orgParam?: string }
  /** An organization admin (of the organization in `orgParam`, if given, among all it administers). */
  | { readonly rule: "admin"; readonly orgParam?: string }
  /** A key registered with one of `roles` (at the organization in `orgParam`, if given). */
  | { readonly rule: "roles"; readonly roles: readonly IdentityRole[]; readonly orgParam?: string }
  /** The key named by `keyParam` itself (a patient reading its own history). */
  | { readonly rule: "self"; readonly keyParam: string }
  /** A rule on state only the query can judge (the grantee a consent names); the query refuses FORBIDDEN itself. */
  | { readonly rule: "query"; readonly says: string };

/** One query: its name, parameters and result schemas, who may run it, whether it is paged. */
export interface QueryContract<P extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly name: string;
  readonly summary: string;
  /** Query-string parameters; values arrive as strings and are converted to the schema's types. */
  readonly params: P;
  /** The whole result (for a paged query `{items, next}`), in canonical terms (bytes as bytes). */
  readonly result: R;
  readonly access: readonly AccessRule[];
  readonly paged: boolean;
}

export type QueryParamsOf<C extends QueryContract> = Static<C["params"]>;
export type QueryResultOf<C extends QueryContract> = Static<C["result"]>;

/** The parameters every paged query takes besides its own: a page size and a resume cursor. */
const PAGE_PARAMS = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: QUERY_PAGE_ITEMS_MAX })),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: QUERY_CURSOR_CHARS_MAX, pattern: "^[A-Za-z0-9_-]+$" }),
  ),
};

/** A page of `item`s: `next` is the cursor that resumes after the last one, or null at the end. */
export function PageSchema<T extends TSchema>(item: T) {
  return Type.Object(
    {
      items: Type.Array(item, { maxItems: QUERY_PAGE_ITEMS_MAX }),
      next: Type.Union([Type.String({ maxLength: QUERY_CURSOR_CHARS_MAX }), Type.Null()]),
    },
    { additionalProperties: false },
  );
}

/** A query answering one value. */
export function singleQuery<P extends TProperties, R extends TSchema>(entry: {
  name: string;
  summary: string;
  params: P;
  result: R;
  access: readonly AccessRule[];
}) {
  return {
    ...entry,
    params: Type.Object(entry.params, { additionalProperties: false }),
    paged: false as const,
  };
}

/** A query answering a list, page by page: it takes `limit` and `cursor` besides `params`. */
export function pagedQuery<P extends TProperties, I extends TSchema>(entry: {
  name: string;
  summary: string;
  params: P;
  item: I;
  access: readonly AccessRule[];
}) {
  const { item, ...rest } = entry;
  return {
    ...rest,
    params: Type.Object({ ...entry.params, ...PAGE_PARAMS }, { additionalProperties: false }),
    result: PageSchema(item),
    paged: true as const,
  };
}

const compiled = new WeakMap<TSchema, ReturnType<typeof TypeCompiler.Compile>>();

function compiledOf(schema: TSchema) {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

/**
 * A query's parameters from a query string (strings converted to the schema's types), checked
 * against its schema: BAD_REQUEST naming the first violation.
 */
export function checkQueryParams<C extends QueryContract>(
  entry: C,
  raw: Readonly<Record<string, unknown>>,
): QueryParamsOf<C> {
  const converted = convertQueryString(entry.params, raw);
  const check = compiledOf(entry.params);
  if (!check.Check(converted)) {
    const first = check.Errors(converted).First();
    const where = first ? `${first.path || "/"}: ${first.message}` : "shape";
    throw new CareLedgerError("BAD_REQUEST", `query ${entry.name} parameters: ${where}`);
  }
  return converted as QueryParamsOf<C>;
}

/**
 * Query-string values to the types of the schema's top-level properties, strictly: an integer
 * property takes only decimal digits (TypeBox's own conversion would truncate "2.5" to 2), a
 * boolean only "true" or "false"; anything else stays a string and fails the check.
 */
function convertQueryString(
  schema: TSchema,
  raw: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const properties =
    (schema as { properties?: Record<string, { type?: string }> }).properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    const type = Object.hasOwn(properties, name) ? properties[name]?.type : undefined;
    if (typeof value === "string" && type === "integer" && /^-?\d{1,15}$/.test(value)) {
      out[name] = Number(value);
    } else if (typeof value === "string" && type === "boolean" && /^(true|false)$/.test(value)) {
      out[name] = value === "true";
    } else {
      out[name] = value;
    }
  }
  return out;
}

/** Whether `value` is a result of the query's schema (tests check every answer with it). */
export function isQueryResult(entry: QueryContract, value: unknown): boolean {
  return compiledOf(entry.result).Check(value);
}

/**
 * The declared access, enforced: REQUEST_UNSIGNED for an anonymous caller where no rule is
 * public, FORBIDDEN for a caller no rule admits. Returns the rule that admitted the caller; a
 * `query` rule admits provisionally, and the query must then check the caller itself.
 */
export function checkQueryAccess(
  entry: QueryContract,
  caller: QueryCaller | null,
  params: Readonly<Record<string, unknown>>,
): AccessRule {
  const publicRule = entry.access.find((rule) => rule.rule === "public");
  if (publicRule !== undefined) return publicRule;
  if (caller === null) {
    throw new CareLedgerError("REQUEST_UNSIGNED", `query ${entry.name} needs a signed request`);
  }
  const admitted = entry.access.find((rule) => admits(rule, caller, params));
  if (admitted !== undefined) return admitted;
  const deferred = entry.access.find((rule) => rule.rule === "query");
  if (deferred !== undefined) return deferred;
  throw new CareLedgerError(
    "FORBIDDEN",
    `query ${entry.name} is for ${describeAccess(entry.access)}`,
  );
}

function admits(
  rule: AccessRule,
  caller: QueryCaller,
  params: Readonly<Record<string, unknown>>,
): boolean {
  // undefined: any organization; null: the parameter is missing, so no organization matches.
  const orgOf = (orgParam: string | undefined): string | undefined | null => {
    if (orgParam === undefined) return undefined;
    const value = params[orgParam];
    return typeof value === "string" ? value : null;
  };
  switch (rule.rule) {
    case "public":
    case "member":
      return true;
    case "operator":
      return isOperator(caller);
    case "member-staff": {
      const org = orgOf(rule.orgParam);
      return org !== null && isMemberStaff(caller, org);
    }
    case "admin": {
      const org = orgOf(rule.orgParam);
      if (org === null) return false;
      return org === undefined ? caller.adminOf.length > 0 : caller.adminOf.includes(org);
    }
    case "roles": {
      // Roles hold only at the organization the key is registered at, whatever it administers.
      const { identity } = caller;
      if (identity === null) return false;
      const org = orgOf(rule.orgParam);
      return (
        identity.roles.some((role) => (rule.roles as readonly string[]).includes(role)) &&
        (org === undefined || identity.org === org)
      );
    }
    case "self":
      return params[rule.keyParam] === caller.key;
    case "query":
      return false;
  }
}

/** The access rules in words, for docs and FORBIDDEN messages. */
export function describeAccess(rules: readonly AccessRule[]): string {
  return rules.map(describeAccessRule).join(", or ");
}

function describeAccessRule(rule: AccessRule): string {
  const of = (orgParam: string | undefined) =>
    orgParam === undefined ? "" : ` of the organization in ${orgParam}`;
  switch (rule.rule) {
    case "public":
      return "anyone";
    case "member":
      return "any registered identity";
    case "operator":
      return "a member operator";
    case "member-staff":
      return `a member organization's staff${of(rule.orgParam)}`;
    case "admin":
      return `an organization admin${of(rule.orgParam)}`;
    case "roles":
      return `a ${rule.roles.join(" or ")}${of(rule.orgParam)}`;
    case "self":
      return `the key in ${rule.keyParam} itself`;
    case "query":
      return rule.says;
  }
}
