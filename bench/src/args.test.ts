import { describe, expect, it } from "vitest";
import {
  DEFAULT_OPTIONS,
  DEFAULT_STATE,
  parseArgs,
  QUICK_DURATION_S,
  QUICK_STATE,
} from "./args.js";

describe("parseArgs", () => {
  it("gives the defaults with no arguments: 4 validators, search mode", () => {
    expect(parseArgs([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS.nodes).toBe(4);
    expect(DEFAULT_OPTIONS.rate).toBeNull();
  });

  it("reads every flag", () => {
    const options = parseArgs([
      "--nodes",
      "7",
      "--duration",
      "30",
      "--rate",
      "1500",
      "--tx-size",
      "300",
      "--mix",
      "identity",
      "--json",
      "--peer",
      "etcd",
      "--profile",
      "2",
    ]);
    expect(options).toEqual({
      nodes: 7,
      durationS: 30,
      rate: 1500,
      txSize: 300,
      json: true,
      quick: false,
      peer: "etcd",
      profileNode: 2,
      fault: null,
      restartAfterS: null,
      mix: "identity",
      state: DEFAULT_STATE,
    });
  });

  it("runs the healthcare mix by default and keeps the identity mix on --mix identity", () => {
    expect(DEFAULT_OPTIONS.mix).toBe("healthcare");
    expect(parseArgs(["--mix", "identity"]).mix).toBe("identity");
    expect(() => parseArgs(["--mix", "payments"])).toThrow(/healthcare or identity/);
    expect(() => parseArgs(["--tx-size", "300"])).toThrow(/--mix identity/);
  });

  it("sizes the preloaded state, over quick mode's smaller default too", () => {
    expect(parseArgs(["--state-packs", "1000000", "--state-patients", "100000"]).state).toEqual({
      ...DEFAULT_STATE,
      packs: 1_000_000,
      patients: 100_000,
    });
    expect(parseArgs(["--quick"]).state).toEqual(QUICK_STATE);
    expect(parseArgs(["--state-members", "50000", "--quick"]).state).toEqual({
      ...QUICK_STATE,
      members: 50_000,
    });
    expect(() => parseArgs(["--state-members", "0"])).toThrow(/from 1 to/);
    expect(() => parseArgs(["--mix", "identity", "--state-packs", "10"])).toThrow(/healthcare mix/);
  });

  it("profiles node 0 when --profile names no node", () => {
    expect(parseArgs(["--profile", "--json"]).profileNode).toBe(0);
    expect(parseArgs(["--profile"]).profileNode).toBe(0);
  });

  it("skips the -- that pnpm may pass through", () => {
    expect(parseArgs(["--", "--nodes", "10"]).nodes).toBe(10);
  });

  it("shortens the window in quick mode and keeps 4 validators", () => {
    const quick = parseArgs(["--quick", "--duration", "60"]);
    expect(quick.quick).toBe(true);
    expect(quick.durationS).toBe(QUICK_DURATION_S);
    expect(() => parseArgs(["--quick", "--nodes", "7"])).toThrow(/4 validators/);
  });

  it("refuses node counts other than 4, 7 and 10, and out-of-range numbers", () => {
    expect(() => parseArgs(["--nodes", "5"])).toThrow(/4, 7, 10/);
    expect(() => parseArgs(["--nodes"])).toThrow(/integer/);
    expect(() => parseArgs(["--duration", "1"])).toThrow(/from 5/);
    expect(() => parseArgs(["--rate", "1.5"])).toThrow(/integer/);
    expect(() => parseArgs(["--rate", "0"])).toThrow(/integer/);
  });

  it("refuses unknown flags, other peers, and a profiled node outside the cluster", () => {
    expect(() => parseArgs(["--fast"])).toThrow(/unknown argument --fast/);
    expect(() => parseArgs(["--peer", "redis"])).toThrow(/etcd/);
    expect(() => parseArgs(["--profile", "4"])).toThrow(/0 to 3/);
  });
});
