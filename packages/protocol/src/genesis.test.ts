import { describe, expect, it } from "vitest";
import { chainIdOf, type Genesis, genesisValidators, parseGenesis } from "./genesis.js";
import { toHex } from "./hash.js";
import { keySigner } from "./keys.js";

const key = (seed: number) => toHex(keySigner(new Uint8Array(32).fill(seed)).publicKey);
const NODE_KEYS = [1, 2, 3, 4, 5].map(key);

function document(): Record<string, unknown> {
  return {
    chainName: "careledger-test",
    genesisTime: 1_763_700_000_000,
    organizations: [
      {
        id: "st-mary",
        name: "St Mary Hospital",
        kind: "hospital",
        adminKeys: [key(20)],
        nodeKeys: NODE_KEYS.slice(0, 2),
      },
      {
        id: "acme-insurance",
        name: "Acme Insurance",
        kind: "insurer",
        adminKeys: [key(21)],
        nodeKeys: NODE_KEYS.slice(2),
        gs1CompanyPrefixes: ["0614141"],
      },
    ],
    validators: NODE_KEYS.slice(0, 4),
    params: {
      checkpointInterval: 100,
      window: 4,
      emptyBlockIntervalMs: 1_000,
      requestTimeoutMs: 5_000,
      viewChangeTimeoutMs: 2_000,
      clockSkewMaxMs: 500,
      blockTxsMax: 2_000,
    },
  };
}

/** The same JSON with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

const invalid = expect.objectContaining({ code: "GENESIS_INVALID" });
const parseJson = (value: unknown): Genesis => parseGenesis(JSON.parse(JSON.stringify(value)));

describe("genesis", () => {
  it("parses a valid document and lists its validators as keys", () => {
    const genesis = parseJson(document());
    expect(genesisValidators(genesis).map(toHex)).toEqual(NODE_KEYS.slice(0, 4));
  });

  it("gives a chain id that does not depend on the JSON's key order", () => {
    const id = chainIdOf(parseJson(document()));
    const reversed = JSON.stringify(reverseKeys(document()));
    expect(reversed).not.toEqual(JSON.stringify(document()));
    expect(chainIdOf(parseGenesis(JSON.parse(reversed)))).toEqual(id);
    expect(id).toHaveLength(32);
    expect(chainIdOf(parseJson({ ...document(), chainName: "other" }))).not.toEqual(id);
  });

  type Doc = Record<string, unknown>;
  const withParams = (doc: Doc, change: Doc): Doc => ({
    ...doc,
    params: { ...(doc.params as Doc), ...change },
  });
  const mutations: [string, (doc: Doc) => Doc][] = [
    [
      "duplicate organization ids",
      (doc) => ({
        ...doc,
        organizations: (doc.organizations as Doc[]).map((org) => ({ ...org, id: "st-mary" })),
      }),
    ],
    [
      "a validator that is no organization's node",
      (doc) => ({ ...doc, validators: [...NODE_KEYS.slice(0, 3), key(30)] }),
    ],
    ["fewer than 4 validators", (doc) => ({ ...doc, validators: NODE_KEYS.slice(0, 3) })],
    [
      "a duplicate validator",
      (doc) => ({ ...doc, validators: [...NODE_KEYS.slice(0, 3), NODE_KEYS[0]] }),
    ],
    ["a float time", (doc) => ({ ...doc, genesisTime: 1.5 })],
    ["a float parameter", (doc) => withParams(doc, { window: 2.5 })],
    ["a zero parameter", (doc) => withParams(doc, { window: 0 })],
    ["an unknown field", (doc) => ({ ...doc, extra: true })],
    [
      "an uppercase hex key",
      (doc) => ({ ...doc, validators: NODE_KEYS.slice(0, 4).map((k) => k.toUpperCase()) }),
    ],
  ];

  it.each(mutations)("refuses %s", (_name, mutate) => {
    expect(() => parseJson(mutate(document()))).toThrow(invalid);
  });

  it("refuses a __proto__ key from JSON", () => {
    const text = JSON.stringify(document()).replace('"chainName"', '"__proto__":{},"chainName"');
    expect(() => parseGenesis(JSON.parse(text))).toThrow(invalid);
  });
});
