import { TX_TYPES } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { identityModule } from "./identity/index.js";
import { defineTxType, type IndexDefinition } from "./module.js";
import { BUILTIN_MODULES, ModuleRegistry } from "./registry.js";

describe("the module registry against the contract", () => {
  it("binds every contract entry to a handler", () => {
    const registry = new ModuleRegistry();
    expect(registry.txTypeNames.sort()).toEqual(Object.keys(TX_TYPES).sort());
  });

  it("refuses a contract entry that no module handles", () => {
    expect(() => new ModuleRegistry([identityModule])).toThrow(/no module handles tx type gov/);
  });

  it("refuses a handler bound to a copy of an entry rather than the contract's own", () => {
    const copy = { ...TX_TYPES["identity.revoke"] };
    const rogue = {
      ...identityModule,
      txTypes: [defineTxType(copy, { execute: async () => {} })],
    };
    const modules = [...BUILTIN_MODULES.filter((m) => m !== identityModule), rogue];
    expect(() => new ModuleRegistry(modules)).toThrow(/not the contract's entry/);
  });

  it("refuses an index with a bad or duplicate name, a bad version or an unknown feed", () => {
    const members = identityModule.indexes?.[0] as IndexDefinition;
    const cases: Array<[IndexDefinition[], RegExp]> = [
      [[{ ...members, name: "by/org" }], /not an index name/],
      [[members, { ...members }], /duplicate index name/],
      [[{ ...members, version: 0 }], /positive integer/],
      [[{ ...members, feeds: [] }], /fed by no transaction type/],
      [[{ ...members, feeds: ["identity.registr"] }], /unknown tx type identity\.registr/],
    ];
    for (const [indexes, message] of cases) {
      const modules = BUILTIN_MODULES.map((m) => (m === identityModule ? { ...m, indexes } : m));
      expect(() => new ModuleRegistry(modules)).toThrow(message);
    }
    expect(() => new ModuleRegistry()).not.toThrow();
  });
});
