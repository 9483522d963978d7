import {
  type Canonical,
  type PayloadChecker,
  RECEIPT_REASON_CHARS_MAX,
  RECEIPT_RESULT_BYTES_MAX,
  receiptReason,
  TX_TYPES,
  type TxTypeContract,
  toHex,
} from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defineTxType, type LedgerModule, reject } from "../modules/module.js";
import { BUILTIN_CONTRACT, BUILTIN_MODULES } from "../modules/registry.js";
import { testChain } from "../testing/fixtures.js";
import { Harness } from "../testing/harness.js";

/** Any payload: the faulty types test handlers, not schemas. */
const anything: PayloadChecker<never> = { schema: {} as never, check: (value) => value as never };

const faultyType = (type: string): TxTypeContract => ({
  type,
  summary: "a handler with a bug (test only)",
  payload: anything,
  senders: [{ rule: "handler", says: "anyone (a test type)" }],
  example: {},
});

const FAULTY_TYPES = Object.fromEntries(
  [
    "faulty.throw",
    "faulty.float",
    "faulty.undefined",
    "faulty.longReason",
    "faulty.ok",
    "faulty.bigResult",
    "faulty.badEvent",
    "faulty.trespass",
    "faulty.peek",
    "faulty.surrogateEvent",
    "faulty.mutateResult",
    "faulty.mutateEvent",
    "faulty.badReads",
    "faulty.seedLinks",
    "faulty.followLinks",
    "faulty.badReadsAfter",
  ].map((type) => [type, faultyType(type)]),
);
const contractOf = (type: string) => FAULTY_TYPES[type] as TxTypeContract;

/** Handlers with the bugs a module can have once it does arithmetic and writes free text. */
const faulty: LedgerModule = {
  name: "faulty",
  queries: [],
  txTypes: [
    defineTxType(contractOf("faulty.throw"), {
      async execute(ctx) {
        ctx.state.put("faulty/before-throw", 1);
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
    }),
    defineTxType(contractOf("faulty.float"), {
      async execute(ctx) {
        ctx.state.put("faulty/fine", 1);
        ctx.state.put("faulty/share", { amount: 10 / 3 });
      },
    }),
    defineTxType(contractOf("faulty.undefined"), {
      async execute(ctx) {
        ctx.state.put("faulty/missing", { note: undefined } as unknown as Canonical);
      },
    }),
    defineTxType(contractOf("faulty.longReason"), {
      async execute() {
        // The emoji's two code units straddle the cut at RECEIPT_REASON_CHARS_MAX.
        reject("NOT_FOUND", `${"a".repeat(RECEIPT_REASON_CHARS_MAX - 1)}\u{1F489} and more`);
      },
    }),
    defineTxType(contractOf("faulty.bigResult"), {
      async execute(ctx) {
        ctx.state.put("faulty/big", 1);
        ctx.result("x".repeat(RECEIPT_RESULT_BYTES_MAX));
      },
    }),
    defineTxType(contractOf("faulty.badEvent"), {
      async execute(ctx) {
        ctx.emit({ type: "faulty.fine", attributes: { n: 1 } });
        ctx.emit({ type: "Not A Type", attributes: {} });
      },
    }),
    defineTxType(contractOf("faulty.trespass"), {
      async execute(ctx) {
        ctx.state.put("faulty/mine", 1);
        ctx.state.put("identity/org/org-0", { id: "org-0" });
      },
    }),
    defineTxType(contractOf("faulty.peek"), {
      async execute(ctx) {
        ctx.state.put("faulty/peeked", (await ctx.state.get("gov/params")) ?? 0);
      },
    }),
    defineTxType(contractOf("faulty.surrogateEvent"), {
      async execute(ctx) {
        ctx.state.put("faulty/surrogate", 1);
        // Within the schema's string bounds, but a lone surrogate has no UTF-8 encoding.
        ctx.emit({ type: "faulty.note", attributes: { text: "half a pair \uD83D" } });
      },
    }),
    defineTxType(contractOf("faulty.mutateResult"), {
      async execute(ctx) {
        const result: Record<string, Canonical> = { decision: "permit" };
        ctx.result(result);
        // After the check: a float has no canonical encoding.
        result.share = 10 / 3;
      },
    }),
    defineTxType(contractOf("faulty.mutateEvent"), {
      async execute(ctx) {
        const attributes: Record<string, string> = { text: "fine" };
        ctx.emit({ type: "faulty.note", attributes });
        attributes.text = "\uDC89";
      },
    }),
    defineTxType(contractOf("faulty.badReads"), {
      reads() {
        throw new TypeError("Cannot read properties of undefined (reading 'patient')");
      },
      async execute(ctx) {
        ctx.state.put(`faulty/read/${ctx.idHex}`, (await ctx.state.get("faulty/absent")) ?? 0);
      },
    }),
    defineTxType(contractOf("faulty.seedLinks"), {
      async execute(ctx) {
        ctx.state.put("faulty/link/a", "b");
        ctx.state.put("faulty/link/b", "c");
      },
    }),
    // Follows a chain of keys: each next key is known only once the one before it is read.
    defineTxType(contractOf("faulty.followLinks"), {
      reads: () => ["faulty/link/a"],
      readsAfter(_payload, _sender, known) {
        const keys: string[] = [];
        for (let next = known("faulty/link/a"); typeof next === "string"; ) {
          keys.push(`faulty/link/${next}`);
          next = known(`faulty/link/${next}`);
        }
        return keys;
      },
      async execute(ctx) {
        // A value already in memory comes back synchronously, not as a promise.
        const inMemory = ["a", "b", "c"].map(
          (link) => !(ctx.state.get(`faulty/link/${link}`) instanceof Promise),
        );
        ctx.state.put(`faulty/followed/${ctx.idHex}`, inMemory);
      },
    }),
    defineTxType(contractOf("faulty.badReadsAfter"), {
      readsAfter() {
        throw new TypeError("Cannot read properties of null (reading 'patient')");
      },
      async execute(ctx) {
        ctx.state.put(`faulty/after/${ctx.idHex}`, 1);
      },
    }),
    defineTxType(contractOf("faulty.ok"), {
      async execute(ctx) {
        ctx.state.put(`faulty/ok/${ctx.idHex}`, ctx.height);
      },
    }),
  ],
};

let h: Harness;
const unexpected: string[] = [];
beforeEach(async () => {
  unexpected.length = 0;
  h = await Harness.create("faults", testChain(), {
    modules: [...BUILTIN_MODULES, faulty],
    contract: { ...BUILTIN_CONTRACT, txTypes: { ...TX_TYPES, ...FAULTY_TYPES } },
    onHandlerError: (id, type) => unexpected.push(`${type} ${id}`),
  });
});
afterEach(async () => {
  await h.close();
});

const send = (type: string) => h.tx(type, {}, h.org(0).admin);

describe("a poison transaction fails alone and the block commits", () => {
  it("gives a handler that throws EXECUTION_FAILED with a fixed reason, discarding its writes", async () => {
    const poison = send("faulty.throw");
    const after = send("faulty.ok");
    const receipts = await h.block([poison, after]);
    expect(receipts[0]).toMatchObject({
      status: "failed",
      code: "EXECUTION_FAILED",
      // Not the TypeError's text, which another Node version may word differently.
      reason: "the transaction's handler failed unexpectedly",
    });
    expect(receipts[1]).toMatchObject({ status: "ok" });
    expect(unexpected).toEqual([`faulty.throw ${toHex(poison.id)}`]);
    expect(await h.ledger.reads.proveState("faulty/before-throw")).toMatchObject({ value: null });
    expect(await h.ledger.reads.proveState(`faulty/ok/${toHex(after.id)}`)).toMatchObject({
      value: 1,
    });
  });

  it("fails a handler that writes a float or an undefined with STATE_VALUE_INVALID", async () => {
    const receipts = await h.block([send("faulty.float"), send("faulty.undefined")]);
    expect(receipts).toMatchObject([
      { status: "failed", code: "STATE_VALUE_INVALID", reason: expect.stringContaining("share") },
      { status: "failed", code: "STATE_VALUE_INVALID", reason: expect.stringContaining("missing") },
    ]);
    // The float's transaction wrote a good value first: it is discarded with the rest.
    expect(await h.ledger.reads.proveState("faulty/fine")).toMatchObject({ value: null });
    expect(h.ledger.head.height).toBe(1);
  });

  it("fails a result over its bound or an ill-formed event with RESULT_INVALID, changing nothing", async () => {
    const receipts = await h.block([send("faulty.bigResult"), send("faulty.badEvent")]);
    expect(receipts).toMatchObject([
      { status: "failed", code: "RESULT_INVALID", reason: expect.stringContaining("bytes") },
      { status: "failed", code: "RESULT_INVALID", reason: expect.stringContaining("/type") },
    ]);
    expect(await h.ledger.reads.proveState("faulty/big")).toMatchObject({ value: null });
  });

  it("fails an event with a lone surrogate with RESULT_INVALID, and the block commits", async () => {
    const after = send("faulty.ok");
    const receipts = await h.block([send("faulty.surrogateEvent"), after]);
    expect(receipts).toMatchObject([
      { status: "failed", code: "RESULT_INVALID", reason: expect.stringContaining("surrogate") },
      { status: "ok" },
    ]);
    expect(await h.ledger.reads.proveState("faulty/surrogate")).toMatchObject({ value: null });
    expect(h.ledger.head.height).toBe(1);
  });

  it("keeps the result and events as checked when the handler changes its objects later", async () => {
    const receipts = await h.block([send("faulty.mutateResult"), send("faulty.mutateEvent")]);
    expect(receipts).toMatchObject([
      { status: "ok", result: { decision: "permit" } },
      { status: "ok", events: [{ type: "faulty.note", attributes: { text: "fine" } }] },
    ]);
    expect((await h.ledger.reads.receipts(1))?.[0]).not.toHaveProperty("result.share");
  });

  it("runs a transaction whose reads cannot be computed without a prefetch, and the block commits", async () => {
    const odd = send("faulty.badReads");
    const after = send("faulty.ok");
    const receipts = await h.block([odd, after]);
    expect(receipts).toMatchObject([{ status: "ok" }, { status: "ok" }]);
    expect(unexpected).toEqual([`faulty.badReads ${toHex(odd.id)}`]);
    expect(await h.ledger.reads.proveState(`faulty/read/${toHex(odd.id)}`)).toMatchObject({
      value: 0,
    });
  });

  it("prefetches dependent reads round by round before the block runs", async () => {
    await h.block([send("faulty.seedLinks")]);
    const follow = send("faulty.followLinks");
    const odd = send("faulty.badReadsAfter");
    const receipts = await h.block([follow, odd]);
    expect(receipts).toMatchObject([{ status: "ok" }, { status: "ok" }]);
    // a by reads, b after the first round, c (absent) after the second.
    expect(await h.ledger.reads.proveState(`faulty/followed/${toHex(follow.id)}`)).toMatchObject({
      value: [true, true, true],
    });
    // A readsAfter that throws only loses its prefetch.
    expect(unexpected).toEqual([`faulty.badReadsAfter ${toHex(odd.id)}`]);
  });

  it("fails a handler touching state outside its module's namespace with STATE_KEY_FORBIDDEN", async () => {
    const before = await h.ledger.reads.proveState("identity/org/org-0");
    const receipts = await h.block([send("faulty.trespass"), send("faulty.peek")]);
    expect(receipts).toMatchObject([
      { status: "failed", code: "STATE_KEY_FORBIDDEN", reason: expect.stringContaining("write") },
      { status: "failed", code: "STATE_KEY_FORBIDDEN", reason: expect.stringContaining("read") },
    ]);
    expect(await h.ledger.reads.proveState("identity/org/org-0")).toMatchObject({
      value: before.value,
    });
    expect(await h.ledger.reads.proveState("faulty/mine")).toMatchObject({ value: null });
  });

  it("cuts a reason on a code point boundary, never inside a surrogate pair", async () => {
    const [receipt] = await h.block([send("faulty.longReason")]);
    const reason = receipt?.status === "failed" ? receipt.reason : "";
    expect(reason).toBe("a".repeat(RECEIPT_REASON_CHARS_MAX - 1));
    // And the receipt was stored and reads back from disk.
    const stored = await h.ledger.reads.receipts(1);
    expect(stored?.[0]).toMatchObject({ code: "NOT_FOUND", reason });
  });
});

describe("receiptReason", () => {
  it("keeps a pair that ends exactly at the bound and replaces lone surrogates", () => {
    const fits = `${"a".repeat(RECEIPT_REASON_CHARS_MAX - 2)}\u{1F489}`;
    expect(receiptReason(fits)).toBe(fits);
    expect(receiptReason(`x\uD83Dy\uDC89`)).toBe("x\uFFFDy\uFFFD");
    expect(receiptReason("a".repeat(RECEIPT_REASON_CHARS_MAX + 5))).toHaveLength(
      RECEIPT_REASON_CHARS_MAX,
    );
  });
});
