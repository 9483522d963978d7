import { describe, expect, it } from "vitest";
import { type CallerIdentity, isMemberStaff, isOperator, mayKnowKey } from "./caller.js";

const registered = (org: string, roles: string[], adminOf: string[] = []): CallerIdentity => ({
  identity: { org, roles },
  adminOf,
});
const withKey = (key: string, who: CallerIdentity) => ({ key, ...who });

describe("operators and member staff", () => {
  it("counts admins and `operator` keys as operators, never `staff` or a subject", () => {
    expect(isOperator({ identity: null, adminOf: ["lab"] })).toBe(true);
    expect(isOperator(registered("lab", ["operator"]))).toBe(true);
    expect(isOperator(registered("lab", ["staff"]))).toBe(false);
    expect(isOperator(registered("lab", ["clinician", "regulator"]))).toBe(false);
    expect(isOperator(registered("lab", ["operator", "patient"]))).toBe(false);
    expect(isOperator(registered("lab", ["patient"], ["lab"]))).toBe(false);
    expect(isOperator(null)).toBe(false);
  });

  it("counts any non-subject role as member staff, of its own organization only", () => {
    expect(isMemberStaff(registered("lab", ["researcher"]))).toBe(true);
    expect(isMemberStaff(registered("lab", ["researcher"]), "lab")).toBe(true);
    expect(isMemberStaff(registered("lab", ["researcher"]), "clinic")).toBe(false);
    expect(isMemberStaff(registered("lab", ["clinician", "patient"]), "lab")).toBe(false);
    expect(isMemberStaff(registered("lab", ["device"]))).toBe(false);
    expect(isMemberStaff({ identity: null, adminOf: ["clinic"] }, "clinic")).toBe(true);
    expect(isMemberStaff({ identity: null, adminOf: ["clinic"] }, "lab")).toBe(false);
  });

  it("lets only the key, operators and its own organization's staff know who a key is", () => {
    const patient = registered("lab", ["patient"]);
    const ask = (who: CallerIdentity, subject: CallerIdentity | null = patient) =>
      mayKnowKey(withKey("c".repeat(64), who), "p".repeat(64), subject);
    expect(mayKnowKey(withKey("p".repeat(64), patient), "p".repeat(64), patient)).toBe(true);
    expect(ask({ identity: null, adminOf: ["clinic"] })).toBe(true);
    expect(ask(registered("lab", ["staff"]))).toBe(true);
    expect(ask(registered("clinic", ["clinician"]))).toBe(false);
    expect(ask(registered("lab", ["patient"]))).toBe(false);
    expect(ask(registered("lab", ["staff"]), null)).toBe(false);
    // A key that only administers lab belongs to lab too.
    expect(ask(registered("lab", ["staff"]), { identity: null, adminOf: ["lab"] })).toBe(true);
  });
});
