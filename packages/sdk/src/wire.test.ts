import { CareLedgerError, VALIDATORS_MAX } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { parseBatch, parseStatus, parseTxStatus } from "./wire.js";

const key = "11".repeat(32);
const hash = "22".repeat(32);
const status = {
  chain: hash,
  node: key,
  height: 3,
  headHash: hash,
  stateRoot: hash,
  view: 0,
  primary: key,
  validators: [key, key, key, key],
  peers: 3,
  syncing: false,
};

function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof CareLedgerError)) throw error;
    expect(error.details.reason).toBe("bad-response");
    return error.message;
  }
  throw new Error("accepted");
}

describe("answers checked against the contract", () => {
  it("turns a status's hex into bytes", () => {
    const parsed = parseStatus(status);
    expect(parsed.chainId).toEqual(new Uint8Array(32).fill(0x22));
    expect(parsed.validators).toHaveLength(4);
  });

  it("refuses hex of the wrong length, naming the field", () => {
    expect(refusal(() => parseStatus({ ...status, node: "11".repeat(31) }))).toMatch(
      /status\.node/,
    );
    expect(refusal(() => parseStatus({ ...status, headHash: "AB".repeat(32) }))).toMatch(
      /status\.headHash/,
    );
  });

  it("refuses lists over their bound and integers out of range", () => {
    const validators = Array.from({ length: VALIDATORS_MAX + 1 }, () => key);
    expect(refusal(() => parseStatus({ ...status, validators }))).toMatch(/status\.validators/);
    expect(refusal(() => parseStatus({ ...status, height: -1 }))).toMatch(/status\.height/);
    expect(refusal(() => parseStatus({ ...status, peers: 1.5 }))).toMatch(/status\.peers/);
  });

  it("accepts fields a newer node adds, and does not pass them on", () => {
    const parsed = parseStatus({ ...status, newField: 1 });
    expect(Object.keys(parsed)).not.toContain("newField");
  });

  it("reads committed and pending transactions, and refuses a failed receipt without a code", () => {
    const committed = { id: hash, status: "committed", height: 1, index: 0 };
    expect(parseTxStatus({ ...committed, receipt: { ok: true } })).toEqual({
      ...committed,
      receipt: { ok: true },
    });
    expect(parseTxStatus({ id: hash, status: "pending" })).toEqual({ id: hash, status: "pending" });
    expect(refusal(() => parseTxStatus({ ...committed, receipt: { ok: false } }))).toMatch(
      /tx\.receipt\.code/,
    );
    expect(refusal(() => parseTxStatus({ id: hash, status: "lost" }))).toMatch(/^tx/);
  });

  it("wants exactly one batch result per transaction sent", () => {
    const answer = { results: [{ id: hash }, { error: { code: "TX_DUPLICATE", message: "dup" } }] };
    expect(parseBatch(answer, 2)).toHaveLength(2);
    expect(refusal(() => parseBatch(answer, 3))).toMatch(/batch\.results/);
  });
});
