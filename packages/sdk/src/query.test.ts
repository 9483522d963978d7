import { CareLedgerError, type QueryParams, type QueryResultJson } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import { CareLedgerClient } from "./client.js";
import { FakeNode } from "./fakeNode.testkit.js";

const FAST = { retryDelayMs: 5, retryDelayMsMax: 20, timeoutMs: 2_000, retries: 0 };
const hex = (digit: string) => digit.repeat(64);

let node: FakeNode;
let client: CareLedgerClient;

beforeEach(async () => {
  node = await FakeNode.start();
  client = new CareLedgerClient(node.url, FAST);
});
afterEach(() => node.close());

/** The next request is answered 200 with this body. */
const answer = (body: unknown) =>
  node.faults.push({ kind: "text", status: 200, body: JSON.stringify(body) });

async function rejection(promise: Promise<unknown>): Promise<CareLedgerError> {
  const error = await promise.then(
    () => new Error("expected a rejection"),
    (caught: unknown) => caught,
  );
  if (!(error instanceof CareLedgerError)) throw error;
  return error;
}

const keyResult = {
  key: hex("a"),
  identity: { org: "hospital", roles: ["clinician"], registeredAt: 3 },
  adminOf: [],
  revoked: false,
};

const proposal = {
  id: hex("1"),
  org: "hospital",
  proposer: hex("a"),
  change: { kind: "validator.add", key: hex("7"), org: "hospital" },
  createdAt: 4,
  expiresAt: 40,
  votes: { [hex("a")]: true },
  status: "open",
};

describe("client.query, typed from the contract", () => {
  it("sends the contract's parameters and returns the result typed as the API's JSON", async () => {
    answer({ name: "identity.key", result: keyResult });
    const who = await client.query("identity.key", { key: hex("a") });
    expectTypeOf(who).toEqualTypeOf<QueryResultJson<"identity.key">>();
    expectTypeOf(who.key).toEqualTypeOf<string>();
    expectTypeOf(who.revoked).toEqualTypeOf<boolean>();
    expectTypeOf(who.identity?.registeredAt).toEqualTypeOf<number | undefined>();
    expectTypeOf(who.identity?.revokedAt).toEqualTypeOf<number | undefined>();
    // A misspelt or mistyped parameter of a known query does not type-check.
    expectTypeOf<{ kee: string }>().not.toExtend<QueryParams<"identity.key">>();
    expectTypeOf<{ limit: string }>().not.toExtend<QueryParams<"gov.proposals">>();
    expect(who).toEqual(keyResult);
    expect(node.requests.at(-1)?.url).toBe(`/v1/query/identity.key?key=${hex("a")}`);
  });

  it("sends a paged query's limit and cursor as strings, and types a governance key as hex", async () => {
    answer({ name: "gov.proposals", result: { items: [proposal], next: "Z292" } });
    const page = await client.query("gov.proposals", { limit: 5, cursor: "abc" });
    expect(node.requests.at(-1)?.url).toBe("/v1/query/gov.proposals?limit=5&cursor=abc");
    const change = page.items[0]?.change;
    if (change?.kind !== "validator.add") throw new Error("the change answered");
    expectTypeOf(change.key).toEqualTypeOf<string>();
    expect(change.key).toBe(hex("7"));
    expect(page.next).toBe("Z292");
  });

  it("refuses an answer of another shape as a bad response, naming where", async () => {
    const wrong = [
      // Bytes as a JSON array, not hex.
      { name: "identity.key", result: { ...keyResult, key: [1, 2] } },
      // A field the contract requires is missing.
      { name: "identity.key", result: { key: hex("a"), adminOf: [], revoked: false } },
      // An answer for another query.
      { name: "identity.organization", result: null },
      // Uppercase hex is not the API's form.
      { name: "identity.key", result: { ...keyResult, key: hex("A") } },
    ];
    for (const body of wrong) {
      answer(body);
      const error = await rejection(client.query("identity.key", { key: hex("a") }));
      expect([error.code, error.details.reason], JSON.stringify(body)).toEqual([
        "INTERNAL",
        "bad-response",
      ]);
    }
    answer({ name: "gov.proposal", result: { ...proposal, change: { kind: "validator.add" } } });
    const error = await rejection(client.query("gov.proposal", { id: hex("1") }));
    expect(error.message).toMatch(/^query gov\.proposal\.result/);
  });

  it("keeps fields a newer node adds, and checks the rest", async () => {
    answer({ name: "identity.key", result: { ...keyResult, since: 7 } });
    expect(await client.query("identity.key", { key: hex("a") })).toMatchObject(keyResult);
  });

  it("runs a query the contract does not know by name, checking only {name, result}", async () => {
    answer({ name: "claims.open", result: { anything: [1] } });
    expect(await client.queryByName("claims.open", { patient: "p" })).toEqual({ anything: [1] });
    expect(node.requests.at(-1)?.url).toBe("/v1/query/claims.open?patient=p");
    answer({ name: "claims.other", result: {} });
    const error = await rejection(client.queryByName("claims.open"));
    expect(error.details.reason).toBe("bad-response");
  });
});
