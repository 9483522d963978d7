import {
  type Canonical,
  type SenderRule,
  TX_TYPES,
  type TxTypeContract,
} from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { identityKey, orgKey } from "../modules/identity/state.js";
import { authorizeSender } from "./senderRules.js";

const hex = (digit: string) => digit.repeat(64);
const bytes = (digit: string) => Buffer.from(hex(digit), "hex");
const state = new Map<string, Canonical>([
  [
    orgKey("st-mary"),
    { id: "st-mary", adminKeys: [hex("a")], nodeKeys: [hex("b")] } as unknown as Canonical,
  ],
  [identityKey(hex("c")), { org: "st-mary", roles: ["clinician"], registeredAt: 1 }],
  [identityKey(hex("d")), { org: "lab", roles: ["clinician"], registeredAt: 1 }],
]);
const reader = { get: (key: string) => state.get(key) ?? null };

const contract = (senders: SenderRule[]): TxTypeContract => ({
  ...TX_TYPES["org.revokeAdmin"],
  senders,
});

async function verdict(senders: SenderRule[], payload: object, sender: string) {
  try {
    return await authorizeSender(reader, contract(senders), payload, sender);
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe("sender rules", () => {
  const payload = { org: "st-mary", key: bytes("c") };

  it("admits by the first rule that holds and says which", async () => {
    const rules: SenderRule[] = [
      { rule: "self", keyField: "key" },
      { rule: "orgAdmin", orgField: "org" },
    ];
    expect(await verdict(rules, payload, hex("a"))).toEqual(rules[1]);
    expect(await verdict(rules, payload, hex("c"))).toEqual(rules[0]);
  });

  it("checks roles, optionally in the payload's organization", async () => {
    const inOrg: SenderRule = { rule: "role", roles: ["clinician"], orgField: "org" };
    expect(await verdict([inOrg], payload, hex("c"))).toEqual(inOrg);
    expect(await verdict([inOrg], payload, hex("d"))).toBe("UNAUTHORIZED");
    expect(await verdict([{ rule: "role", roles: ["regulator"] }], payload, hex("c"))).toBe(
      "UNAUTHORIZED",
    );
  });

  it("names a missing organization or key before UNAUTHORIZED", async () => {
    const orgAdmin: SenderRule = { rule: "orgAdmin", orgField: "org" };
    expect(await verdict([orgAdmin], { ...payload, org: "nobody" }, hex("a"))).toBe(
      "ORG_NOT_FOUND",
    );
    const keyAdmin: SenderRule = { rule: "keyOrgAdmin", keyField: "key" };
    expect(await verdict([keyAdmin], { ...payload, key: bytes("e") }, hex("a"))).toBe("NOT_FOUND");
    expect(await verdict([keyAdmin], payload, hex("a"))).toEqual(keyAdmin);
    expect(await verdict([keyAdmin], { ...payload, key: bytes("d") }, hex("a"))).toBe(
      "UNAUTHORIZED",
    );
  });

  it("admits a node key the payload's organization lists by orgNode, and only by it", async () => {
    const orgNode: SenderRule = { rule: "orgNode", orgField: "org" };
    expect(await verdict([orgNode], payload, hex("b"))).toEqual(orgNode);
    // Its admin, a clinician of its own, another key: none is the organization's node.
    for (const other of ["a", "c", "9"]) {
      expect(await verdict([orgNode], payload, hex(other))).toBe("UNAUTHORIZED");
    }
    expect(await verdict([orgNode], { ...payload, org: "nobody" }, hex("b"))).toBe("ORG_NOT_FOUND");
    // A node key is no admin and holds no role: the other rules refuse it.
    const others: SenderRule[] = [
      { rule: "orgAdmin", orgField: "org" },
      { rule: "role", roles: ["clinician", "staff", "operator"] },
    ];
    expect(await verdict(others, payload, hex("b"))).toBe("UNAUTHORIZED");
  });

  it("leaves a handler rule to the handler: null, never a refusal", async () => {
    const rules: SenderRule[] = [
      { rule: "orgAdmin", orgField: "org" },
      { rule: "handler", says: "a delegate the patient named" },
    ];
    expect(await verdict(rules, payload, hex("9"))).toBeNull();
  });
});
