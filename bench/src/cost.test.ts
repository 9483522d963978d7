import { describe, expect, it } from "vitest";
import { costBetween, parseProcIo } from "./cost.js";

const IO = `rchar: 6976
wchar: 1200
syscr: 10
syscw: 3
read_bytes: 4096
write_bytes: 81920
cancelled_write_bytes: 4096
`;

describe("/proc/<pid>/io parsing", () => {
  it("reads the byte counters", () => {
    expect(parseProcIo(IO)).toEqual({
      rchar: 6976,
      wchar: 1200,
      readBytes: 4096,
      writeBytes: 81920,
      cancelledWriteBytes: 4096,
    });
  });

  it("refuses a text without write_bytes (no permission gives no counters)", () => {
    expect(() => parseProcIo("rchar: 1\nwchar: 2\n")).toThrow(/read_bytes/);
    expect(() => parseProcIo(IO.replace("write_bytes: 81920", "write_bytes: x"))).toThrow(
      /write_bytes/,
    );
  });
});

describe("cost per committed transaction", () => {
  it("sums the cluster and divides by the transactions committed in the window", () => {
    const cost = costBetween(
      [
        { cpuSeconds: 10, writeBytes: 1_000 },
        { cpuSeconds: 20, writeBytes: 5_000 },
      ],
      [
        { cpuSeconds: 10.5, writeBytes: 201_000 },
        { cpuSeconds: 20.25, writeBytes: 105_000 },
      ],
      1_000,
    );
    expect(cost.perProcess).toEqual([
      { cpuMs: 500, writeBytes: 200_000, cpuMsPerTx: 0.5, writeBytesPerTx: 200 },
      { cpuMs: 250, writeBytes: 100_000, cpuMsPerTx: 0.25, writeBytesPerTx: 100 },
    ]);
    expect(cost).toMatchObject({
      committed: 1_000,
      cpuMs: 750,
      writeBytes: 300_000,
      cpuMsPerTx: 0.75,
      writeBytesPerTx: 300,
    });
  });

  it("gives NaN, not a flattering sum, when a process has no sample, and when nothing committed", () => {
    const missing = costBetween([null], [{ cpuSeconds: 1, writeBytes: 0 }], 10);
    expect(Number.isNaN(missing.cpuMsPerTx)).toBe(true);
    const idle = costBetween(
      [{ cpuSeconds: 1, writeBytes: 0 }],
      [{ cpuSeconds: 2, writeBytes: 0 }],
      0,
    );
    expect(idle.cpuMs).toBe(1_000);
    expect(Number.isNaN(idle.cpuMsPerTx)).toBe(true);
  });
});
