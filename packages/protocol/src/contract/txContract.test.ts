import { type TSchema, Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { payloadChecker } from "../payloads/check.js";
import { identityRevokePayload } from "../payloads/identity.js";
import { checkTxContract, describeSenders, type TxTypeContract } from "./txContract.js";
import { TX_TYPES } from "./txTypes.js";

/** A test type whose org admin sends it, with the given payload schema. */
const orgPayloadType = (schema: TSchema): TxTypeContract => ({
  type: "test.send",
  summary: "a test type",
  payload: payloadChecker(schema),
  senders: [{ rule: "orgAdmin", orgField: "org" }],
  example: {},
});

describe("the transaction-type contract", () => {
  it("names every entry by its key and keeps every entry coherent", () => {
    for (const [name, entry] of Object.entries(TX_TYPES)) {
      expect(entry.type).toBe(name);
      expect(() => checkTxContract(entry)).not.toThrow();
    }
  });

  it("refuses a sender rule naming a field the payload lacks, no rule, and a bad example", () => {
    const base: TxTypeContract = TX_TYPES["identity.revoke"];
    const cases: Array<[TxTypeContract, RegExp]> = [
      [{ ...base, senders: [{ rule: "orgAdmin", orgField: "org" }] }, /names org/],
      [{ ...base, senders: [] }, /no sender rule/],
      [{ ...base, type: "Revoke" }, /module\.verb/],
      [{ ...base, example: { key: new Uint8Array(3) } }, /\/key/],
      // The ledger reads a rule's field before any handler: it must be there, of the right type.
      [{ ...base, senders: [{ rule: "orgAdmin", orgField: "key" }] }, /reads key as string/],
      [
        { ...orgPayloadType(Type.Object({ org: Type.Optional(Type.String()) })) },
        /does not require/,
      ],
      [{ ...orgPayloadType(Type.Object({ org: Type.Integer() })) }, /reads org as string/],
      [
        {
          ...orgPayloadType(Type.Object({ org: Type.String() })),
          senders: [{ rule: "self", keyField: "org" }],
        },
        /reads org as Uint8Array/,
      ],
    ];
    for (const [entry, message] of cases) expect(() => checkTxContract(entry)).toThrow(message);
    expect(base.payload).toBe(identityRevokePayload);
  });

  it("prints who may send a type", () => {
    expect(describeSenders(TX_TYPES["identity.revoke"].senders)).toBe(
      "the key in key itself, or an admin of the organization of the key in key",
    );
  });
});
