import { describe, expect, it } from "vitest";
import { DIGITAL_LINK_ELEMENTS_MAX, DIGITAL_LINK_LENGTH_MAX } from "./digitalLink.js";
import { parseDigitalLink } from "./parseDigitalLink.js";
import type { Gs1ErrorCode } from "./result.js";

function parsed(uri: string, options = {}) {
  const result = parseDigitalLink(uri, options);
  if (!result.ok) throw new Error(`${uri}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

function codeOf(uri: string, options = {}): Gs1ErrorCode | "valid" {
  const result = parseDigitalLink(uri, options);
  return result.ok ? "valid" : result.error.code;
}

// NOTES 3.3: the official examples, as gs1-syntax-engine's dl.c tests them.
const NOTES_VALID = [
  "https://id.gs1.org/01/09520123456788",
  "https://id.gs1.org/01/09520123456788/22/2A",
  "https://id.gs1.org/01/09520123456788/10/ABC123",
  "https://id.gs1.org/01/09520123456788/21/12345",
  "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
  "https://id.gs1.org/01/09520123456788?3103=000195",
  "https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225",
  "https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123",
  "https://id.gs1.org/414/9520123456788/254/32a%2Fb",
  "https://example.com/8004/9520614141234567?01=09520123456788",
];

const NOTES_INVALID: ReadonlyArray<readonly [string, Gs1ErrorCode]> = [
  ["https://example.com/01/09520123456788?10=ABC123", "AI_SHOULD_BE_IN_PATH_INFO"],
  ["https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&01=09520123456788", "DUPLICATE_AI"],
  ["https://example.com/01/09520123456788?99=XYZ&89=ABC123", "UNKNOWN_AI_IN_QUERY_PARAMS"],
  ["https://a/01/12312312312333/99/ABC", "INVALID_KEY_QUALIFIER_SEQUENCE"],
  ["HtTp://a/b/00/006141411234567890", "URI_CONTAINS_ILLEGAL_SCHEME"],
  ["https://a/stem/00/006141411234567890/", "NO_GS1_DL_KEYS_FOUND_IN_PATH_INFO"],
];

describe("parseDigitalLink: the NOTES 3.3 examples", () => {
  it.each(NOTES_VALID)("accepts %s", (uri) => {
    expect(codeOf(uri)).toBe("valid");
    expect(codeOf(uri, { convenienceForms: false })).toBe("valid");
  });

  it.each(NOTES_INVALID)("refuses %s with %s", (uri, code) => {
    expect(codeOf(uri)).toBe(code);
    expect(codeOf(uri, { convenienceForms: false })).toBe(code);
  });

  it("reads the standard's own example into its fields", () => {
    const link = parsed("https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426");
    expect(link).toEqual({
      form: "gs1",
      stem: "https://id.gs1.org",
      primaryKey: { ai: "01", value: "09520123456788" },
      path: [
        { ai: "01", value: "09520123456788" },
        { ai: "10", value: "ABC1" },
        { ai: "21", value: "12345" },
      ],
      attributes: [{ ai: "17", value: "180426" }],
      gtin: "09520123456788",
      lot: "ABC1",
      serial: "12345",
      expiry: "180426",
      vrs: {},
      otherQuery: [],
    });
  });

  it("reads other keys without calling them a GTIN", () => {
    const sscc = parsed(
      "https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123",
    );
    expect(sscc.primaryKey).toEqual({ ai: "00", value: "952012345678912345" });
    expect(sscc.gtin).toBeUndefined();
    expect(sscc.lot).toBe("ABC123");
    expect(parsed("https://id.gs1.org/414/9520123456788/254/32a%2Fb").path[1]).toEqual({
      ai: "254",
      value: "32a/b",
    });
    expect(
      parsed("https://example.com/8004/9520614141234567?01=09520123456788").gtin,
    ).toBeUndefined();
  });
});

describe("parseDigitalLink: the other rules of NOTES 3.3", () => {
  it("takes any domain (ports, IP addresses, upper-case scheme) and a path stem", () => {
    for (const uri of [
      "HTTPS://a/00/006141411234567890",
      "http://a/00/006141411234567890",
      "https://a:65535/01/12312312312333",
      "https://192.0.2.1/01/12312312312333",
      "https://[2001:db8::1]/01/12312312312333",
      "https://a/more/stem/00/006141411234567890",
    ]) {
      expect(codeOf(uri), uri).toBe("valid");
    }
    expect(parsed("https://a/more/stem/00/006141411234567890").stem).toBe("https://a/more/stem");
  });

  it("reads the other primary keys and their qualifiers and optional components", () => {
    expect(codeOf("https://a/253/1231231231232")).toBe("valid");
    expect(codeOf("https://a/253/1231231231232TEST5678901234567")).toBe("valid");
    expect(codeOf("https://a/253/1231231231232TEST56789012345678")).toBe("AI_VALUE_IS_TOO_LONG");
    expect(codeOf("https://a/8018/123456789012345675/8019/123")).toBe("valid");
    expect(codeOf("https://a/stem/401/12345678?99=ABC")).toBe("valid");
  });

  it("the rightmost valid key wins when the stem looks like an AI", () => {
    const link = parsed("https://a/00/faux/00/006141411234567890");
    expect(link.stem).toBe("https://a/00/faux");
    expect(link.primaryKey).toEqual({ ai: "00", value: "006141411234567890" });
  });

  it("refuses a zero-suppressed GTIN in the path (strict mode)", () => {
    expect(codeOf("https://a/01/2112345678900")).toBe("AI_VALUE_IS_TOO_SHORT");
    expect(codeOf("https://a/01/416000336108")).toBe("AI_VALUE_IS_TOO_SHORT");
  });

  it("qualifiers go in the order 22, 10, 21, or 235 alone", () => {
    expect(codeOf("https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ")).toBe("valid");
    expect(codeOf("https://a/01/12312312312333/22/TEST/21/XYZ")).toBe("valid");
    expect(codeOf("https://a/01/12312312312333/235/TEST")).toBe("valid");
    expect(codeOf("https://id.gs1.org/01/70614141123451/21/2018/10/4512")).toBe(
      "INVALID_KEY_QUALIFIER_SEQUENCE",
    );
    expect(codeOf("https://a/01/12312312312333/10/ABC/22/TEST")).toBe(
      "INVALID_KEY_QUALIFIER_SEQUENCE",
    );
    expect(codeOf("https://a/01/12312312312333/10/ABC/235/TEST")).toBe(
      "INVALID_KEY_QUALIFIER_SEQUENCE",
    );
    expect(codeOf("https://a/01/12312312312333/10/ABC/10/DEF")).toBe(
      "INVALID_KEY_QUALIFIER_SEQUENCE",
    );
  });

  it("a query AI that could go in the path is refused; one that could not is fine", () => {
    expect(codeOf("https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC123")).toBe("valid");
    expect(codeOf("https://id.gs1.org/01/09520123456788/21/XYZ?10=ABC123")).toBe(
      "AI_SHOULD_BE_IN_PATH_INFO",
    );
    expect(codeOf("https://id.gs1.org/01/09520123456788/10/ABC?21=XYZ")).toBe(
      "AI_IS_NOT_VALID_DATA_ATTRIBUTE",
    );
  });

  it("refuses duplicates, unknown numeric AIs, empty values, trailing slashes", () => {
    expect(codeOf("https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&10=ABC123")).toBe(
      "DUPLICATE_AI",
    );
    expect(codeOf("https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&99=XYZ789")).toBe(
      "DUPLICATE_AI",
    );
    expect(codeOf("https://a/01/12312312312333?99=ABC&999=faux")).toBe(
      "UNKNOWN_AI_IN_QUERY_PARAMS",
    );
    expect(codeOf("https://example.com/01/09520123456788/89/ABC123?99=XYZ")).toBe(
      "NO_GS1_DL_KEYS_FOUND_IN_PATH_INFO",
    );
    expect(codeOf("https://a/01/12312312312333?99=")).toBe("AI_VALUE_QUERY_ELEMENT_IN_EMPTY");
    expect(codeOf("https://a/01/12312312312333/10/")).toBe("AI_VALUE_PATH_ELEMENT_IS_EMPTY");
    expect(codeOf("https://a/01//12312312312333")).toBe("NO_GS1_DL_KEYS_FOUND_IN_PATH_INFO");
    expect(codeOf("https://a/01/12312312312333/")).toBe("NO_GS1_DL_KEYS_FOUND_IN_PATH_INFO");
  });

  it("passes non-numeric query keys through and skips empty separators", () => {
    const link = parsed(
      "https://a/01/12312312312333?&&&99=ABC&unknown=666&singleton&&98=XYZ&linkType=gs1:pip&&&",
    );
    expect(link.attributes).toEqual([
      { ai: "99", value: "ABC" },
      { ai: "98", value: "XYZ" },
    ]);
    expect(link.otherQuery).toEqual([
      { name: "unknown", value: "666" },
      { name: "singleton", value: null },
    ]);
    expect(link.linkType).toBe("gs1:pip");
  });

  it("decodes percent-encoding; + is a plus in the path and a space in the query", () => {
    expect(parsed("https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987")).toMatchObject({
      cpv: "ABC-123",
      attributes: [
        { ai: "99", value: "ABC" },
        { ai: "98", value: "XYZ/987" },
      ],
    });
    expect(parsed("https://a/01/12312312312333/22/ABC+123").cpv).toBe("ABC+123");
    expect(
      parseDigitalLink("https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ+987"),
    ).toMatchObject({
      ok: false,
      error: { code: "AI_LINTER_ERROR", linter: "INVALID_CSET82_CHARACTER", ai: "98" },
    });
  });

  it("refuses a percent-encoded NUL in a path value and in a query value", () => {
    expect(codeOf("https://a/01/1231231231233%003")).toBe(
      "DECODED_AI_FROM_DL_PATH_INFO_CONTAINS_ILLEGAL_NULL",
    );
    expect(codeOf("https://a/01/12312312312333?99=AB%00C")).toBe(
      "DECODED_AI_VALUE_FROM_QUERY_PARAMS_CONTAINS_ILLEGAL_NULL",
    );
  });

  it("ignores a fragment, after the path or after the query", () => {
    expect(parsed("https://a/01/12312312312333/22/test/10/abc/21/xyz#fragment").serial).toBe("xyz");
    expect(parsed("https://a/stem/00/006141411234567890?99=ABC#").attributes).toEqual([
      { ai: "99", value: "ABC" },
    ]);
    expect(codeOf("https://a/stem/00/006141411234567890?")).toBe("valid");
  });

  it("refuses illegal characters, schemes, domains", () => {
    expect(codeOf("")).toBe("URI_CONTAINS_ILLEGAL_SCHEME");
    expect(codeOf("ftp://a/01/12312312312333")).toBe("URI_CONTAINS_ILLEGAL_SCHEME");
    expect(codeOf("https://a/01/12312312312333/10/A B")).toBe("URI_CONTAINS_ILLEGAL_CHARACTERS");
    expect(codeOf("https://a/01/12312312312333/10/é")).toBe("URI_CONTAINS_ILLEGAL_CHARACTERS");
    expect(codeOf("http://")).toBe("URI_MISSING_DOMAIN_AND_PATH_INFO");
    expect(codeOf("http:///01/12312312312333")).toBe("URI_MISSING_DOMAIN_AND_PATH_INFO");
    expect(codeOf("http://a")).toBe("URI_MISSING_DOMAIN_AND_PATH_INFO");
    expect(codeOf("http://a/")).toBe("NO_GS1_DL_KEYS_FOUND_IN_PATH_INFO");
    expect(codeOf("https://$a/01/12312312312333")).toBe("DOMAIN_CONTAINS_ILLEGAL_CHARACTERS");
    expect(codeOf("https://[fe80::1%25lo]/01/12312312312333")).toBe(
      "DOMAIN_CONTAINS_ILLEGAL_CHARACTERS",
    );
  });

  it("checks values: check digits, lengths, dates, character sets", () => {
    expect(parseDigitalLink("https://a/01/09520123456789")).toMatchObject({
      error: { code: "AI_LINTER_ERROR", linter: "INCORRECT_CHECK_DIGIT", ai: "01" },
    });
    expect(codeOf("https://a/01/095201234567888")).toBe("AI_VALUE_IS_TOO_LONG");
    expect(codeOf(`https://a/01/09520123456788/21/${"1".repeat(21)}`)).toBe("AI_VALUE_IS_TOO_LONG");
    expect(codeOf("https://a/01/09520123456788/10/A%5EB")).toBe(
      "AI_CONTAINS_ILLEGAL_CARAT_CHARACTER",
    );
    expect(parseDigitalLink("https://a/01/09520123456788?17=261301")).toMatchObject({
      error: { linter: "ILLEGAL_MONTH", ai: "17" },
    });
    expect(parseDigitalLink("https://a/01/09520123456788?17=210229")).toMatchObject({
      error: { linter: "ILLEGAL_DAY", ai: "17" },
    });
    expect(codeOf("https://a/01/09520123456788?17=200600")).toBe("valid");
    expect(codeOf("https://a/01/09520123456788?17=1806")).toBe("AI_VALUE_IS_TOO_SHORT");
    expect(parseDigitalLink("https://a/01/09520123456788?7003=2612312460")).toMatchObject({
      error: { linter: "ILLEGAL_HOUR", ai: "7003" },
    });
    expect(codeOf("https://a/01/09520123456788?7003=2612312359")).toBe("valid");
  });

  it("reads YY = 00 against the reference year when it is given", () => {
    expect(codeOf("https://a/01/09520123456788?17=000229", { referenceYear: 2026 })).toBe("valid");
    expect(codeOf("https://a/01/09520123456788?17=000229", { referenceYear: 2060 })).toBe(
      "AI_LINTER_ERROR",
    );
  });

  it("enforces the AIs' required and excluded pairings", () => {
    expect(codeOf("https://id.gs1.org/414/9520123456788?10=ABC")).toBe(
      "REQUIRED_AIS_NOT_SATISFIED",
    );
    expect(codeOf("https://id.gs1.org/00/952012345678912345?02=09520123456788")).toBe(
      "REQUIRED_AIS_NOT_SATISFIED",
    );
    expect(codeOf("https://id.gs1.org/01/09520123456788?7004=12")).toBe(
      "REQUIRED_AIS_NOT_SATISFIED",
    );
    expect(codeOf("https://id.gs1.org/01/09520123456788/10/L1?7004=12")).toBe("valid");
    expect(codeOf("https://id.gs1.org/01/09520123456788?37=5")).toBe("INVALID_AI_PAIRS");
    expect(codeOf("https://id.gs1.org/01/09520123456788?3103=000195&3102=000195")).toBe(
      "INVALID_AI_PAIRS",
    );
    expect(codeOf("https://id.gs1.org/01/09520123456788?3922=0299")).toBe(
      "REQUIRED_AIS_NOT_SATISFIED",
    );
  });

  it("bounds what it reads: length and element count, each at its edge", () => {
    const base = "https://a/01/09520123456788?";
    const filler = (length: number) => `${base}x=${"y".repeat(length - base.length - 2)}`;
    expect(codeOf(filler(DIGITAL_LINK_LENGTH_MAX))).toBe("valid");
    expect(codeOf(filler(DIGITAL_LINK_LENGTH_MAX + 1))).toBe("DATA_TOO_LONG");
    // The key and its value are one element; each query parameter one more.
    const params = (count: number) =>
      base + Array.from({ length: count }, (_, i) => `p${i}`).join("&");
    expect(codeOf(params(DIGITAL_LINK_ELEMENTS_MAX - 1))).toBe("valid");
    expect(codeOf(params(DIGITAL_LINK_ELEMENTS_MAX))).toBe("TOO_MANY_AIS");
  });
});

describe("parseDigitalLink: the legacy DSCSA VRS form (NOTES 0.1, 4.1)", () => {
  const corrUUID = "2a9f1c1e-5b7d-4c1a-9e2f-0c4d8b7a6e51";
  const legacy =
    "https://vrs.example.com/gtin/00363391180998/lot/AutoDbTest/ser/1234567890" +
    `?exp=230715&linkType=verificationService&context=dscsaSaleableReturn&reqGLN=0363391100002&corrUUID=${corrUUID}`;

  it("reads convenience alphas and exp into the same fields, with the request's parameters", () => {
    expect(parsed(legacy)).toEqual({
      form: "convenience",
      stem: "https://vrs.example.com",
      primaryKey: { ai: "01", value: "00363391180998" },
      path: [
        { ai: "01", value: "00363391180998" },
        { ai: "10", value: "AutoDbTest" },
        { ai: "21", value: "1234567890" },
      ],
      attributes: [{ ai: "17", value: "230715" }],
      gtin: "00363391180998",
      lot: "AutoDbTest",
      serial: "1234567890",
      expiry: "230715",
      linkType: "verificationService",
      vrs: { context: "dscsaSaleableReturn", reqGLN: "0363391100002", corrUUID },
      otherQuery: [],
    });
  });

  it("reads the same request in the standard's form to the same fields", () => {
    const canonical =
      "https://vrs.example.com/01/00363391180998/10/AutoDbTest/21/1234567890" +
      `?17=230715&linkType=gs1:verificationService&context=dscsaSaleableReturn&reqGLN=0363391100002&corrUUID=${corrUUID}&ctrlPossessAtt=true`;
    const link = parsed(canonical);
    const legacyLink = parsed(legacy);
    expect(link.form).toBe("gs1");
    expect({
      ...link,
      form: "convenience",
      linkType: "verificationService",
      vrs: legacyLink.vrs,
    }).toEqual(legacyLink);
    expect(link.vrs.ctrlPossessAtt).toBe(true);
  });

  it("takes a path stem (/verify/...) and leaves contact parameters to the caller", () => {
    const link = parsed(
      "https://r.example/verify/gtin/00338300905276/lot/L1/ser/S1?exp=251200&email=a%40b.example",
    );
    expect(link.stem).toBe("https://r.example/verify");
    expect(link.otherQuery).toEqual([{ name: "email", value: "a@b.example" }]);
  });

  it("checks the legacy values as their AIs: exp as (17), GTIN check digit, order", () => {
    expect(parseDigitalLink(legacy.replace("exp=230715", "exp=231315"))).toMatchObject({
      error: { code: "AI_LINTER_ERROR", linter: "ILLEGAL_MONTH", ai: "17" },
    });
    expect(parseDigitalLink(legacy.replace("00363391180998", "00363391180999"))).toMatchObject({
      error: { linter: "INCORRECT_CHECK_DIGIT", ai: "01" },
    });
    expect(codeOf("https://v.example/gtin/00363391180998/ser/1/lot/L")).toBe(
      "INVALID_KEY_QUALIFIER_SEQUENCE",
    );
    expect(codeOf("https://v.example/gtin/00363391180998?exp=230715&17=230715")).toBe(
      "DUPLICATE_AI",
    );
  });

  it("checks the request parameters", () => {
    const variants: ReadonlyArray<readonly [string, string]> = [
      ["reqGLN=0363391100002", "reqGLN=0363391100003"],
      ["reqGLN=0363391100002", "reqGLN=036339110000"],
      [`corrUUID=${corrUUID}`, "corrUUID=not-a-uuid"],
      ["context=dscsaSaleableReturn", `context=${"c".repeat(65)}`],
      ["context=dscsaSaleableReturn", "context="],
      ["linkType=verificationService", "linkType=verificationService&linkType=pip"],
      ["context=dscsaSaleableReturn", "context=dscsaSaleableReturn&ctrlPossessAtt=yes"],
    ];
    for (const [from, to] of variants) {
      expect(codeOf(legacy.replace(from, to)), to).toBe("VRS_PARAMETER_INVALID");
    }
  });

  it("is refused like GS1's reference parser when convenience forms are off", () => {
    expect(codeOf(legacy, { convenienceForms: false })).toBe("NO_GS1_DL_KEYS_FOUND_IN_PATH_INFO");
    const exp = parsed("https://a/01/09520123456788?exp=230715", { convenienceForms: false });
    expect(exp.expiry).toBeUndefined();
    expect(exp.otherQuery).toEqual([{ name: "exp", value: "230715" }]);
  });
});
