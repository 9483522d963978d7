/**
 * The Application Identifiers this package reads in a Digital Link: their formats, whether
 * they may be a query-string data attribute, their key-qualifier sequences and their required
 * and excluded pairings, as GS1's Barcode Syntax Dictionary (release 2026-01-27) and the
 * General Specifications state them. A subset: the keys and attributes of the pharmaceutical
 * supply chain and of NOTES 3.3's examples. An AI GS1 defines but this table lacks is refused
 * as unknown, which errs on the side of refusing.
 */
export type AiLinter = "csum" | "yymmd0" | "yymmdd" | "hhmi";

export interface AiComponent {
  /** `N` digits, `X` CSET 82. */
  readonly charset: "N" | "X";
  readonly lengthMin: number;
  readonly lengthMax: number;
  readonly optional: boolean;
  readonly linters: readonly AiLinter[];
}

export interface AiDefinition {
  readonly ai: string;
  readonly title: string;
  readonly components: readonly AiComponent[];
  /** May stand in a Digital Link query string (the dictionary's `?` flag). */
  readonly dataAttribute: boolean;
  /** Set for a Digital Link primary key: its alternative qualifier sequences, each in order. */
  readonly keyQualifiers?: readonly (readonly string[])[];
  /** Each entry must hold: one of its alternatives, an alternative being AIs joined by `+`. */
  readonly requires: readonly (readonly string[])[];
  /** Patterns (`n` is any digit) of AIs this one may not appear with; never itself. */
  readonly excludes: readonly string[];
}

interface Options {
  readonly attribute?: boolean;
  readonly key?: readonly string[];
  readonly requires?: readonly string[];
  readonly excludes?: string;
}

/** `N14`, `X..20`, `[X..17]`, with linters after commas: `N14,csum`. */
function component(spec: string): AiComponent {
  const optional = spec.startsWith("[");
  const [format = "", ...linters] = (optional ? spec.slice(1, -1) : spec).split(",");
  const match = /^([NX])(\.\.)?([0-9]+)$/.exec(format);
  if (match === null) throw new Error(`AI table: bad component ${spec}`);
  const length = Number(match[3]);
  return {
    charset: match[1] === "N" ? "N" : "X",
    lengthMin: match[2] === undefined ? length : 1,
    lengthMax: length,
    optional,
    linters: linters as AiLinter[],
  };
}

function define(ai: string, title: string, format: string, options: Options = {}): AiDefinition {
  const alternatives = (list: string) => (list === "" ? [] : list.split(","));
  return {
    ai,
    title,
    components: format.split(" ").map(component),
    dataAttribute: options.attribute === true,
    ...(options.key === undefined ? {} : { keyQualifiers: options.key.map(alternatives) }),
    requires: (options.requires ?? []).map(alternatives),
    excludes: alternatives(options.excludes ?? ""),
  };
}

const TRADE_ITEM = "01,02,03,8006,8026";

const DEFINITIONS: readonly AiDefinition[] = [
  define("00", "SSCC", "N18,csum", { attribute: true, key: [""] }),
  define("01", "GTIN", "N14,csum", {
    attribute: true,
    key: ["22,10,21", "235"],
    excludes: "255,37",
  }),
  define("02", "CONTENT", "N14,csum", { attribute: true, excludes: "01,03", requires: ["37"] }),
  define("03", "MTO GTIN", "N14,csum", { excludes: "01,02,37" }),
  define("10", "BATCH/LOT", "X..20", { attribute: true, requires: [TRADE_ITEM] }),
  define("11", "PROD DATE", "N6,yymmd0", { attribute: true, requires: [TRADE_ITEM] }),
  define("13", "PACK DATE", "N6,yymmd0", { attribute: true, requires: [TRADE_ITEM] }),
  define("15", "BEST BEFORE or BEST BY", "N6,yymmd0", { attribute: true, requires: [TRADE_ITEM] }),
  define("16", "SELL BY", "N6,yymmd0", { attribute: true, requires: [TRADE_ITEM] }),
  define("17", "USE BY or EXPIRY", "N6,yymmd0", {
    attribute: true,
    requires: ["01,02,03,255,8006,8026"],
  }),
  define("20", "VARIANT", "N2", { attribute: true, requires: ["01,02,8006,8026"] }),
  define("21", "SERIAL", "X..20", { requires: ["01,03,8006"], excludes: "235" }),
  define("22", "CPV", "X..20", { requires: ["01"] }),
  define("235", "TPX", "X..28", { requires: ["01"] }),
  define("240", "ADDITIONAL ID", "X..30", { attribute: true, requires: ["01,02,8006,8026"] }),
  define("241", "CUST. PART No.", "X..30", { attribute: true, requires: ["01,02,8006,8026"] }),
  define("242", "MTO VARIANT", "N..6", { attribute: true, requires: ["01,02,8006,8026"] }),
  define("243", "PCN", "X..20", { attribute: true, requires: ["01"] }),
  define("250", "SECONDARY SERIAL", "X..30", { attribute: true, requires: ["01,8006", "21"] }),
  define("251", "REF. TO SOURCE", "X..30", { attribute: true, requires: ["01,8006"] }),
  define("253", "GDTI", "N13,csum [X..17]", { attribute: true, key: [""] }),
  define("254", "GLN EXTENSION COMPONENT", "X..20", { requires: ["414"] }),
  define("255", "GCN", "N13,csum [N..12]", {
    attribute: true,
    key: [""],
    excludes: "01,02,415,8006,8020,8026",
  }),
  define("30", "VAR. COUNT", "N..8", { attribute: true, requires: ["01,02"] }),
  ...range(3100, 3105).map((ai) =>
    define(ai, "NET WEIGHT (kg)", "N6", { attribute: true, requires: ["01,02"], excludes: "310n" }),
  ),
  define("37", "COUNT", "N..8", { attribute: true, requires: ["00", "02,8026"] }),
  ...range(3920, 3929).map((ai) =>
    define(ai, "PRICE", "N..15", {
      attribute: true,
      requires: ["01", "30,31nn,32nn,35nn,36nn"],
      excludes: "392n,393n",
    }),
  ),
  define("400", "ORDER NUMBER", "X..30", { attribute: true }),
  define("401", "GINC", "X..30", { attribute: true, key: [""] }),
  define("402", "GSIN", "N17,csum", { attribute: true, key: [""] }),
  define("410", "SHIP TO LOC", "N13,csum", { attribute: true }),
  define("411", "BILL TO", "N13,csum", { attribute: true }),
  define("412", "PURCHASE FROM", "N13,csum", { attribute: true }),
  define("413", "SHIP FOR LOC", "N13,csum", { attribute: true }),
  define("414", "LOC No.", "N13,csum", { attribute: true, key: ["254", "7040"] }),
  define("416", "PROD/SERV LOC", "N13,csum", { attribute: true }),
  define("417", "PARTY", "N13,csum", { attribute: true, key: ["7040"] }),
  define("7003", "EXPIRY TIME", "N6,yymmdd N4,hhmi", { attribute: true, requires: ["01,02"] }),
  define("7004", "ACTIVE POTENCY", "N..4", { attribute: true, requires: ["01+10"] }),
  define("710", "NHRN PZN", "X..20", { attribute: true, requires: ["01"] }),
  define("712", "NHRN CN", "X..20", { attribute: true, requires: ["01"] }),
  define("8004", "GIAI", "X..30", { attribute: true, key: ["7040"] }),
  define("8017", "GSRN - PROVIDER", "N18,csum", {
    attribute: true,
    key: ["8019"],
    excludes: "8018",
  }),
  define("8018", "GSRN - RECIPIENT", "N18,csum", {
    attribute: true,
    key: ["8019"],
    excludes: "8017",
  }),
  define("8019", "SRIN", "N..10", { requires: ["8017,8018"] }),
  define("90", "INTERNAL", "X..30", { attribute: true }),
  ...range(91, 99).map((ai) => define(ai, "INTERNAL", "X..90", { attribute: true })),
];

function range(first: number, last: number): string[] {
  return Array.from({ length: last - first + 1 }, (_, index) => String(first + index));
}

const BY_AI: ReadonlyMap<string, AiDefinition> = new Map(DEFINITIONS.map((d) => [d.ai, d]));

export function aiDefinition(ai: string): AiDefinition | undefined {
  return BY_AI.get(ai);
}

/** Whether `ai` matches a dictionary pattern such as `31nn` (`n` any digit) or is that AI. */
export function aiMatches(pattern: string, ai: string): boolean {
  if (pattern.length !== ai.length) return false;
  for (let at = 0; at < pattern.length; at++) {
    const expected = pattern.charAt(at);
    const actual = ai.charAt(at);
    if (expected === "n" ? !(actual >= "0" && actual <= "9") : expected !== actual) return false;
  }
  return true;
}

/**
 * Whether the path's AIs, in order, are a primary key followed by a valid choice of its
 * qualifiers: for each alternative sequence, an ordered subsequence of it (all optional).
 */
export function isKeyQualifierSequence(path: readonly string[]): boolean {
  const [key, ...qualifiers] = path;
  const alternatives = key === undefined ? undefined : aiDefinition(key)?.keyQualifiers;
  if (alternatives === undefined) return false;
  if (qualifiers.length === 0) return true;
  return alternatives.some((sequence) => {
    let from = 0;
    for (const qualifier of qualifiers) {
      const at = sequence.indexOf(qualifier, from);
      if (at < 0) return false;
      from = at + 1;
    }
    return true;
  });
}

export function isPrimaryKey(ai: string): boolean {
  return aiDefinition(ai)?.keyQualifiers !== undefined;
}

/** The longest an AI value can be: the sum of its components' maxima (AI 91-99: 90). */
export function lengthMax(definition: AiDefinition): number {
  return definition.components.reduce((sum, part) => sum + part.lengthMax, 0);
}

export function lengthMin(definition: AiDefinition): number {
  return definition.components.reduce((sum, part) => sum + (part.optional ? 0 : part.lengthMin), 0);
}
