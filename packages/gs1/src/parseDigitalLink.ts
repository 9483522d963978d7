import { type AiElement, associationProblem, lengthProblem, lintProblem } from "./aiLint.js";
import {
  type AiDefinition,
  aiDefinition,
  isKeyQualifierSequence,
  isPrimaryKey,
} from "./aiTable.js";
import {
  DIGITAL_LINK_ELEMENTS_MAX,
  DIGITAL_LINK_LENGTH_MAX,
  type DigitalLink,
  type QueryParameter,
} from "./digitalLink.js";
import { percentDecode } from "./percentEncoding.js";
import { fail, type Gs1Problem, type Gs1Result, ok } from "./result.js";
import { splitVrsParameters } from "./vrsParameters.js";

export interface ParseDigitalLinkOptions {
  /**
   * Accept the legacy convenience alphas (`/gtin/…/lot/…/ser/…`) and the `exp` query parameter
   * for AI (17) that deployed DSCSA VRS clients send (NOTES 3.3, 4.1). Default true: the
   * responder must accept them. False reads as GS1's reference parser does by default.
   */
  readonly convenienceForms?: boolean;
  /**
   * The year the century rule of YYMMDD dates reads against (the block's year on the chain).
   * Without it only YY = 00 is uncertain, and is read as 2000 (see `lintYymmdd`).
   */
  readonly referenceYear?: number;
}

/** The characters a URI may hold at all (RFC 3986 unreserved, reserved and `%`). */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
/** Of those, what a domain may not hold. */
const BAD_DOMAIN_CHARACTERS = /[_~?#@!$&'()*+,;=%]/;
const SCHEME = /^(?:https|HTTPS|http|HTTP):\/\//;

/** The DL 1.0/1.1 convenience alphas for the AIs this package knows. */
const CONVENIENCE_ALPHAS: ReadonlyMap<string, string> = new Map([
  ["cpv", "22"],
  ["giai", "8004"],
  ["gln", "414"],
  ["glnx", "254"],
  ["gtin", "01"],
  ["lot", "10"],
  ["party", "417"],
  ["ser", "21"],
  ["sscc", "00"],
]);
/** The legacy query parameter DSCSA VRS clients send the expiry in. */
const LEGACY_EXPIRY_PARAMETER = "exp";

/**
 * Parses a GS1 Digital Link URI under the rules of NOTES 3.3, in the reference parser's order:
 * characters, scheme, domain; the path read from its end to find the rightmost primary key
 * (anything before it is the stem); each path value decoded and length-checked; the query's
 * AIs likewise (non-numeric names are not AIs and pass through); the path's key-qualifier
 * sequence; each query AI unduplicated, a data attribute, and not one that could have gone in
 * the path; every value linted; the AIs' required and excluded pairings.
 */
export function parseDigitalLink(
  uri: string,
  options: ParseDigitalLinkOptions = {},
): Gs1Result<DigitalLink> {
  const convenience = options.convenienceForms ?? true;
  if (uri.length > DIGITAL_LINK_LENGTH_MAX) {
    return fail("DATA_TOO_LONG", `Maximum data length is ${DIGITAL_LINK_LENGTH_MAX} characters`);
  }
  if (!URI_CHARACTERS.test(uri))
    return fail("URI_CONTAINS_ILLEGAL_CHARACTERS", "URI contains illegal characters");
  const scheme = SCHEME.exec(uri)?.[0];
  if (scheme === undefined) {
    return fail(
      "URI_CONTAINS_ILLEGAL_SCHEME",
      "Scheme must be http:// or HTTP:// or https:// or HTTPS://",
    );
  }
  const afterScheme = uri.slice(scheme.length);
  const domainEnd = afterScheme.indexOf("/");
  if (domainEnd < 1)
    return fail("URI_MISSING_DOMAIN_AND_PATH_INFO", "URI must contain a domain and path info");
  const domain = afterScheme.slice(0, domainEnd);
  if (BAD_DOMAIN_CHARACTERS.test(domain)) {
    return fail("DOMAIN_CONTAINS_ILLEGAL_CHARACTERS", "Domain contains illegal characters");
  }
  // The fragment ends the data and is ignored; the query ends the path info.
  const [beforeFragment = ""] = afterScheme.slice(domainEnd).split("#", 1);
  const queryStart = beforeFragment.indexOf("?");
  const pathInfo = queryStart < 0 ? beforeFragment : beforeFragment.slice(0, queryStart);
  const query = queryStart < 0 ? "" : beforeFragment.slice(queryStart + 1);

  const segments = pathInfo.split("/");
  const queryParts = query.split("&").filter((part) => part !== "");
  // Path pairs (a stem segment counts as half a pair, rounded up) and query parameters.
  if (Math.ceil((segments.length - 1) / 2) + queryParts.length > DIGITAL_LINK_ELEMENTS_MAX) {
    return fail("TOO_MANY_AIS", `Too many AIs (at most ${DIGITAL_LINK_ELEMENTS_MAX} elements)`);
  }
  const keyAt = primaryKeyIndex(segments, convenience);
  if (keyAt === undefined)
    return fail("NO_GS1_DL_KEYS_FOUND_IN_PATH_INFO", "No GS1 DL keys found in path info");

  const path = pathElements(segments, keyAt, convenience);
  if (!path.ok) return path;
  const queryRead = queryElements(queryParts, convenience);
  if (!queryRead.ok) return queryRead;
  const { attributes, others, usedLegacyExpiry } = queryRead.value;

  const problem =
    placementProblem(path.value.elements, attributes) ??
    contentProblem([...path.value.elements, ...attributes], options.referenceYear);
  if (problem !== undefined) return { ok: false, error: problem };

  const request = splitVrsParameters(others);
  if (!request.ok) return request;
  const stem = scheme + domain + segments.slice(0, keyAt).join("/");
  const form = path.value.usedAlpha || usedLegacyExpiry ? "convenience" : "gs1";
  return ok(linkValue(form, stem, path.value.elements, attributes, request.value));
}

/**
 * The index of the rightmost primary key's AI segment, walking `/AI/value` pairs back from the
 * end: a pair whose AI is unknown ends the walk, as it must be the stem.
 */
function primaryKeyIndex(segments: readonly string[], convenience: boolean): number | undefined {
  for (let at = segments.length - 2; at >= 1; at -= 2) {
    const ai = resolveAi(segments[at] ?? "", convenience)?.ai;
    if (ai === undefined) return undefined;
    if (isPrimaryKey(ai)) return at;
  }
  return undefined;
}

function resolveAi(
  token: string,
  convenience: boolean,
): { ai: string; alpha: boolean } | undefined {
  if (/^[0-9]+$/.test(token))
    return aiDefinition(token) === undefined ? undefined : { ai: token, alpha: false };
  const ai = convenience ? CONVENIENCE_ALPHAS.get(token) : undefined;
  return ai === undefined ? undefined : { ai, alpha: true };
}

function pathElements(
  segments: readonly string[],
  keyAt: number,
  convenience: boolean,
): Gs1Result<{ elements: AiElement[]; usedAlpha: boolean }> {
  const elements: AiElement[] = [];
  let usedAlpha = false;
  for (let at = keyAt; at < segments.length; at += 2) {
    const resolved = resolveAi(segments[at] ?? "", convenience);
    const raw = segments[at + 1];
    // The walk back from the end saw every pair from the key on, so each AI resolves.
    if (resolved === undefined || raw === undefined) throw new Error("DL path walk: unpaired AI");
    usedAlpha ||= resolved.alpha;
    const { ai } = resolved;
    if (raw === "")
      return fail("AI_VALUE_PATH_ELEMENT_IS_EMPTY", `AI (${ai}) value path element is empty`, ai);
    const value = percentDecode(raw, "path");
    if (value === null) {
      return fail(
        "DECODED_AI_FROM_DL_PATH_INFO_CONTAINS_ILLEGAL_NULL",
        `Decoded AI (${ai}) from DL path info contains illegal null character`,
        ai,
      );
    }
    const problem = lengthProblem(definitionOf(ai), value);
    if (problem !== undefined) return { ok: false, error: problem };
    elements.push({ ai, value });
  }
  return ok({ elements, usedAlpha });
}

function queryElements(
  parts: readonly string[],
  convenience: boolean,
): Gs1Result<{ attributes: AiElement[]; others: QueryParameter[]; usedLegacyExpiry: boolean }> {
  const attributes: AiElement[] = [];
  const others: QueryParameter[] = [];
  let usedLegacyExpiry = false;
  for (const part of parts) {
    const equals = part.indexOf("=");
    const name = equals < 0 ? part : part.slice(0, equals);
    const raw = equals < 0 ? null : part.slice(equals + 1);
    const legacyExpiry = convenience && name === LEGACY_EXPIRY_PARAMETER;
    if (raw === null || !(/^[0-9]+$/.test(name) || legacyExpiry)) {
      // Not an AI: kept as sent, decoded where it decodes (a NUL leaves it undecoded).
      others.push({ name, value: raw === null ? null : (percentDecode(raw, "query") ?? raw) });
      continue;
    }
    usedLegacyExpiry ||= legacyExpiry;
    const ai = legacyExpiry ? "17" : name;
    const definition = aiDefinition(ai);
    if (definition === undefined)
      return fail("UNKNOWN_AI_IN_QUERY_PARAMS", `Unknown AI (${ai}) in query parameters`, ai);
    if (raw === "")
      return fail("AI_VALUE_QUERY_ELEMENT_IN_EMPTY", `AI (${ai}) value query element is empty`, ai);
    const value = percentDecode(raw, "query");
    if (value === null) {
      return fail(
        "DECODED_AI_VALUE_FROM_QUERY_PARAMS_CONTAINS_ILLEGAL_NULL",
        `Decoded AI (${ai}) value from DL query params contains illegal null character`,
        ai,
      );
    }
    const problem = lengthProblem(definition, value);
    if (problem !== undefined) return { ok: false, error: problem };
    attributes.push({ ai, value });
  }
  return ok({ attributes, others, usedLegacyExpiry });
}

/**
 * The path is a key and a valid choice of its qualifiers; each query AI is new, a permitted
 * data attribute, and could not have gone anywhere in the path after the key.
 */
function placementProblem(
  path: readonly AiElement[],
  attributes: readonly AiElement[],
): Gs1Problem | undefined {
  const pathAis = path.map((element) => element.ai);
  if (!isKeyQualifierSequence(pathAis)) {
    return {
      code: "INVALID_KEY_QUALIFIER_SEQUENCE",
      message: "The AIs in the path are not a valid key-qualifier sequence for the key",
    };
  }
  const seen = new Set(pathAis);
  for (const { ai } of attributes) {
    if (seen.has(ai)) return { code: "DUPLICATE_AI", message: `AI (${ai}) is duplicated`, ai };
    seen.add(ai);
    if (!definitionOf(ai).dataAttribute) {
      return {
        code: "AI_IS_NOT_VALID_DATA_ATTRIBUTE",
        message: `AI (${ai}) is not a valid DL URI data attribute`,
        ai,
      };
    }
    for (let at = 1; at <= pathAis.length; at++) {
      if (isKeyQualifierSequence([...pathAis.slice(0, at), ai, ...pathAis.slice(at)])) {
        return {
          code: "AI_SHOULD_BE_IN_PATH_INFO",
          message: `AI (${ai}) from query params should be in the path info`,
          ai,
        };
      }
    }
  }
  return undefined;
}

function contentProblem(
  elements: readonly AiElement[],
  referenceYear: number | undefined,
): Gs1Problem | undefined {
  for (const { ai, value } of elements) {
    const problem = lintProblem(definitionOf(ai), value, referenceYear);
    if (problem !== undefined) return problem;
  }
  return associationProblem(elements, definitionOf);
}

function definitionOf(ai: string): AiDefinition {
  const definition = aiDefinition(ai);
  // Every AI reaching here was looked up when it was read.
  if (definition === undefined) throw new Error(`AI (${ai}) has no definition`);
  return definition;
}

function linkValue(
  form: DigitalLink["form"],
  stem: string,
  path: readonly AiElement[],
  attributes: readonly AiElement[],
  request: { linkType?: string; vrs: DigitalLink["vrs"]; otherQuery: QueryParameter[] },
): DigitalLink {
  const [primaryKey] = path;
  if (primaryKey === undefined) throw new Error("a key-qualifier sequence has a key");
  const all = [...path, ...attributes];
  const valueOfAi = (ai: string) => all.find((element) => element.ai === ai)?.value;
  return {
    form,
    stem,
    primaryKey,
    path,
    attributes,
    ...optional("gtin", primaryKey.ai === "01" ? primaryKey.value : undefined),
    ...optional("cpv", valueOfAi("22")),
    ...optional("lot", valueOfAi("10")),
    ...optional("serial", valueOfAi("21")),
    ...optional("expiry", valueOfAi("17")),
    ...optional("linkType", request.linkType),
    vrs: request.vrs,
    otherQuery: request.otherQuery,
  };
}

/** A field only when it has a value, so a parsed link carries no `undefined` members. */
function optional<K extends string>(name: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: string };
}
