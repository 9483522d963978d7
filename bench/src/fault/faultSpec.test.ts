import { describe, expect, it } from "vitest";
import { parseArgs } from "../args.js";

const fixedRate = ["--rate", "600", "--duration", "60"];

describe("fault options", () => {
  it("reads kill-primary and kill-replica with their instant, and the restart delay", () => {
    const primary = parseArgs([
      ...fixedRate,
      "--fault",
      "kill-primary@20",
      "--restart-after",
      "10",
    ]);
    expect(primary.fault).toEqual({ kind: "kill-primary", atS: 20 });
    expect(primary.restartAfterS).toBe(10);
    const replica = parseArgs([...fixedRate, "--fault", "kill-replica@12.5"]);
    expect(replica.fault).toEqual({ kind: "kill-replica", atS: 12.5 });
    expect(replica.restartAfterS).toBeNull();
  });

  it("takes --restart-after before --fault too", () => {
    const options = parseArgs([...fixedRate, "--restart-after", "5", "--fault", "kill-primary@3"]);
    expect(options.restartAfterS).toBe(5);
  });

  it("refuses malformed specs with FAULT_SPEC_INVALID", () => {
    for (const spec of ["kill-leader@5", "kill-primary", "kill-primary@", "kill-primary@0"]) {
      expect(() => parseArgs([...fixedRate, "--fault", spec])).toThrow(/^FAULT_SPEC_INVALID/);
    }
    expect(() => parseArgs([...fixedRate, "--fault", "kill-primary@5@6"])).toThrow(
      /FAULT_SPEC_INVALID/,
    );
    expect(() => parseArgs([...fixedRate, "--fault"])).toThrow(/FAULT_SPEC_INVALID/);
    expect(() =>
      parseArgs([...fixedRate, "--fault", "kill-primary@5", "--restart-after", "-1"]),
    ).toThrow(/FAULT_RESTART_INVALID/);
  });

  it("needs one fixed-rate CareLedger step", () => {
    expect(() => parseArgs(["--fault", "kill-primary@5"])).toThrow(/FAULT_NEEDS_FIXED_RATE/);
    expect(() => parseArgs(["--quick", "--rate", "400", "--fault", "kill-primary@2"])).toThrow(
      /FAULT_NEEDS_FIXED_RATE/,
    );
    expect(() => parseArgs([...fixedRate, "--peer", "etcd", "--fault", "kill-primary@5"])).toThrow(
      /FAULT_NEEDS_FIXED_RATE/,
    );
  });

  it("keeps the kill and the restart inside the measured window", () => {
    expect(() => parseArgs([...fixedRate, "--fault", "kill-replica@60"])).toThrow(
      /FAULT_OUTSIDE_WINDOW/,
    );
    expect(() =>
      parseArgs([...fixedRate, "--fault", "kill-replica@50", "--restart-after", "10"]),
    ).toThrow(/FAULT_OUTSIDE_WINDOW/);
    expect(
      parseArgs([...fixedRate, "--fault", "kill-replica@49", "--restart-after", "10"]).fault,
    ).not.toBeNull();
  });

  it("refuses --restart-after without a fault", () => {
    expect(() => parseArgs([...fixedRate, "--restart-after", "10"])).toThrow(
      /FAULT_RESTART_WITHOUT_FAULT/,
    );
  });
});
