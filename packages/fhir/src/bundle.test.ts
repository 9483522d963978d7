import { describe, expect, it } from "vitest";
import { auditEventBundle, FHIR_CURSOR_PARAM } from "./bundle.js";
import { r4Problems } from "./r4Schema.testkit.js";
import { accessEntry, key, PATIENT } from "./views.testkit.js";

const BASE = "https://node-1.st-mary.example/fhir/R4";
const page = {
  items: [
    accessEntry({ access: key(0xe1) }),
    accessEntry({
      access: key(0xe2),
      reason: "break-glass",
      consent: null,
      breakGlass: true,
      purpose: "ETREAT",
    }),
    accessEntry({ access: key(0xe3), decision: "deny", reason: "no-consent", consent: null }),
  ],
  next: "c2Vjb25kLXBhZ2U",
};

describe("auditEventBundle", () => {
  it("renders a page of history as a searchset whose entries are matches, and it validates", () => {
    const bundle = auditEventBundle(page, { baseUrl: BASE, params: { patient: PATIENT } });
    expect(r4Problems(bundle)).toEqual([]);
    expect(bundle.resourceType).toBe("Bundle");
    expect(bundle.type).toBe("searchset");
    expect(bundle.total).toBeUndefined();
    expect(bundle.entry?.map((entry) => entry.fullUrl)).toEqual(
      [0xe1, 0xe2, 0xe3].map((seed) => `${BASE}/AuditEvent/${key(seed)}`),
    );
    expect(bundle.entry?.map((entry) => entry.search)).toEqual(
      page.items.map(() => ({ mode: "match" })),
    );
    expect(bundle.entry?.map((entry) => entry.resource?.outcome)).toEqual(["0", "0", "4"]);
    expect(bundle.link).toEqual([
      { relation: "self", url: `${BASE}/AuditEvent?patient=${PATIENT}` },
      { relation: "next", url: `${BASE}/AuditEvent?patient=${PATIENT}&_cursor=${page.next}` },
    ]);
  });

  it("keeps _count and this page's cursor in self, and the next cursor in next", () => {
    const bundle = auditEventBundle(
      page,
      { baseUrl: `${BASE}/`, params: { patient: PATIENT }, count: 3, cursor: "Zmlyc3Q" },
      10,
    );
    expect(r4Problems(bundle)).toEqual([]);
    expect(bundle.total).toBe(10);
    const query = `patient=${PATIENT}&_count=3`;
    expect(bundle.link).toEqual([
      { relation: "self", url: `${BASE}/AuditEvent?${query}&_cursor=Zmlyc3Q` },
      { relation: "next", url: `${BASE}/AuditEvent?${query}&_cursor=${page.next}` },
    ]);
  });

  it("has no next link on the last page, and an empty last page still validates", () => {
    const bundle = auditEventBundle(
      { items: [], next: null },
      { baseUrl: BASE, params: { patient: PATIENT }, cursor: "bGFzdA" },
      0,
    );
    expect(r4Problems(bundle)).toEqual([]);
    expect(bundle.entry).toEqual([]);
    expect(bundle.total).toBe(0);
    expect(bundle.link?.map((link) => link.relation)).toEqual(["self"]);
  });

  it("escapes parameter values in its links", () => {
    const bundle = auditEventBundle(
      { items: [], next: null },
      { baseUrl: BASE, params: { patient: "a&b=c" } },
    );
    expect(bundle.link?.[0]?.url).toBe(`${BASE}/AuditEvent?patient=a%26b%3Dc`);
  });

  it("refuses a base that is not an http(s) URL without query, a total below the page, and its own parameters among the search's", () => {
    const internal = expect.objectContaining({ code: "INTERNAL" });
    const params = { patient: PATIENT };
    expect(() => auditEventBundle(page, { baseUrl: "fhir/R4", params })).toThrow(internal);
    expect(() => auditEventBundle(page, { baseUrl: "ftp://x/fhir", params })).toThrow(internal);
    expect(() => auditEventBundle(page, { baseUrl: `${BASE}?a=1`, params })).toThrow(internal);
    expect(() => auditEventBundle(page, { baseUrl: BASE, params }, 2)).toThrow(internal);
    expect(() =>
      auditEventBundle(page, { baseUrl: BASE, params: { ...params, [FHIR_CURSOR_PARAM]: "x" } }),
    ).toThrow(internal);
  });
});
