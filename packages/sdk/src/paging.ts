import { QUERY_PAGE_ITEMS_MAX } from "@careledger/protocol";
import { localError } from "./errors.js";

/** One page of a paged query, as the node answers it: `next` resumes after it, null at the end. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | null;
}

/** Where a page starts and how long it is (the query's own `limit` and `cursor`). */
export interface PageOptions {
  /** Items per page, 1 to QUERY_PAGE_ITEMS_MAX; the node's default (100) when absent. */
  readonly limit?: number;
  /** A `next` from the page before. */
  readonly cursor?: string;
}

/** Pages walked by `allItems` before it stops with an error: a node cannot page us forever. */
export const PAGES_MAX = 10_000;

/**
 * Every item of a paged query, page after page, as an async iterator: `fetchPage` is asked with
 * each page's cursor in turn. It stops at a null `next`, and refuses a node that hands back the
 * cursor it was just given (which would loop) or pages past PAGES_MAX.
 */
export async function* allItems<T>(
  fetchPage: (page: PageOptions) => Promise<Page<T>>,
  options: PageOptions = {},
): AsyncGenerator<T, void, undefined> {
  let cursor = options.cursor;
  for (let pages = 0; pages < PAGES_MAX; pages++) {
    const page = await fetchPage({
      ...(options.limit !== undefined && { limit: options.limit }),
      ...(cursor !== undefined && { cursor }),
    });
    yield* page.items;
    if (page.next === null) return;
    if (page.next === cursor)
      throw localError("bad-response", `the node answered cursor ${cursor} again`);
    cursor = page.next;
  }
  throw localError(
    "bad-response",
    `more than ${PAGES_MAX} pages of at most ${QUERY_PAGE_ITEMS_MAX} items`,
  );
}
