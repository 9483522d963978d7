import type { AccessEntry } from "@careledger/protocol";
import type { AuditEvent, Bundle, BundleEntry, BundleLink, FhirResource } from "fhir/r4.js";
import { auditEventResource } from "./auditEvent.js";
import { invariant } from "./invariant.js";

/**
 * The search parameters a searchset's links carry besides the search's own: FHIR's page size,
 * and our resume cursor (FHIR leaves paging to the server; `_cursor` is the name Medplum and
 * others use). The api reads them back from the `next` link the client follows.
 */
export const FHIR_COUNT_PARAM = "_count";
export const FHIR_CURSOR_PARAM = "_cursor";

/** Which search a page answers, as the client asked it. */
export interface SearchRequest {
  /** The node's FHIR base as clients reach it, e.g. `https://node.example/fhir/R4`. */
  readonly baseUrl: string;
  /** The search's own parameters, e.g. `{patient: "<key hex>"}`; not `_count` or `_cursor`. */
  readonly params: Readonly<Record<string, string>>;
  /** The page size asked for, if any: kept in every link so the next page has the same size. */
  readonly count?: number | undefined;
  /** The cursor this page was asked with; absent on the first page. */
  readonly cursor?: string | undefined;
}

/** One page of a paged query, as the protocol's `PageSchema` answers it. */
export interface ResultPage<T> {
  readonly items: readonly T[];
  readonly next: string | null;
}

/**
 * A page of search matches as a FHIR searchset: every entry a `match` with its `fullUrl`, a
 * `self` link to this page and a `next` link with the cursor while there is more. `total` is
 * written only when the caller knows it: cursor paging does not count the matches, and FHIR
 * makes `total` optional rather than let a server guess.
 */
export function searchsetBundle<T extends FhirResource>(
  resources: readonly T[],
  next: string | null,
  request: SearchRequest & { readonly resourceType: T["resourceType"] },
  total?: number,
): Bundle<T> {
  const base = fhirBase(request.baseUrl);
  const entry = resources.map((resource): BundleEntry<T> => {
    invariant(resource.resourceType === request.resourceType, "searchset of mixed types");
    invariant(resource.id !== undefined, `a ${resource.resourceType} match without an id`);
    return {
      fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: "match" },
    };
  });
  const link: BundleLink[] = [{ relation: "self", url: searchUrl(base, request, request.cursor) }];
  if (next !== null) link.push({ relation: "next", url: searchUrl(base, request, next) });
  const bundle: Bundle<T> = { resourceType: "Bundle", type: "searchset", link, entry };
  if (total !== undefined) {
    invariant(
      Number.isSafeInteger(total) && total >= resources.length,
      `total ${total} is below the ${resources.length} matches of one page`,
    );
    bundle.total = total;
  }
  return bundle;
}

/** A page of a patient's access history (`access.history`) as a searchset of AuditEvents. */
export function auditEventBundle(
  page: ResultPage<AccessEntry>,
  request: SearchRequest,
  total?: number,
): Bundle<AuditEvent> {
  return searchsetBundle(
    page.items.map(auditEventResource),
    page.next,
    { ...request, resourceType: "AuditEvent" },
    total,
  );
}

/** An absolute http(s) URL with no query or fragment, without its trailing slash. */
function fhirBase(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    invariant(false, `FHIR base ${JSON.stringify(baseUrl)} is not a URL`);
  }
  invariant(
    (url.protocol === "https:" || url.protocol === "http:") && url.search === "" && url.hash === "",
    `FHIR base ${JSON.stringify(baseUrl)} is not an http(s) URL without query or fragment`,
  );
  return url.href.replace(/\/+$/, "");
}

/** The search's URL with its parameters in name order, so equal searches have equal links. */
function searchUrl(
  base: string,
  request: SearchRequest & { readonly resourceType: string },
  cursor: string | undefined,
): string {
  const query = new URLSearchParams();
  for (const name of Object.keys(request.params).sort()) {
    invariant(
      name !== FHIR_COUNT_PARAM && name !== FHIR_CURSOR_PARAM,
      `search parameter ${name} is the bundle's own`,
    );
    query.append(name, request.params[name] as string);
  }
  if (request.count !== undefined) {
    invariant(
      Number.isSafeInteger(request.count) && request.count > 0,
      `_count ${request.count} is not a positive integer`,
    );
    query.append(FHIR_COUNT_PARAM, String(request.count));
  }
  if (cursor !== undefined) query.append(FHIR_CURSOR_PARAM, cursor);
  return `${base}/${request.resourceType}?${query.toString()}`;
}
