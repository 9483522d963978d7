import { BUILTIN_MODULES } from "@careledger/ledger";
import { describe, expect, it } from "vitest";
import { stateKeyScopes } from "./stateKeyScopes.js";

describe("raw state scopes from the modules' declarations", () => {
  const scopeOf = stateKeyScopes([
    ...BUILTIN_MODULES,
    { name: "drug", txTypes: [], queries: [], rawState: "public" },
  ]);

  it("gives identity and governance keys to operators", () => {
    expect(scopeOf("identity/org/hospital-1")).toBe("operators");
    expect(scopeOf("gov/params")).toBe("operators");
  });

  it("keeps a module that declares nothing, and keys of no module, for queries only", () => {
    // The consent, access and record modules declare no raw state: a patient's data.
    expect(scopeOf("consent/c/1")).toBe("queries-only");
    expect(scopeOf("access/btg/hospital-1/ab")).toBe("queries-only");
    expect(scopeOf("record/ab")).toBe("queries-only");
    expect(scopeOf("unknown/key")).toBe("queries-only");
    expect(scopeOf("no-namespace")).toBe("queries-only");
    // A namespace is the whole first segment: "identityx/" is not identity's.
    expect(scopeOf("identityx/a")).toBe("queries-only");
  });

  it("publishes what a module declares public", () => {
    expect(scopeOf("drug/pack/0950600013435")).toBe("public");
  });
});
