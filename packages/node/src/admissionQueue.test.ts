import { CareLedgerError, type SignedTx } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { AdmissionQueue } from "./admissionQueue.js";

const fakeSigned = (bytes: Uint8Array) => ({ bytes }) as unknown as SignedTx;

describe("AdmissionQueue", () => {
  it("admits a slice per turn of the event loop, so other work runs between slices", async () => {
    const log: string[] = [];
    const queue = new AdmissionQueue(
      async (bytes) => {
        log.push(`admit ${bytes[0]}`);
        return fakeSigned(bytes);
      },
      { sliceTxs: 2, waitingMax: 100, waitingBytesMax: 1_000, clientBacklogFloorTxs: 100 },
    );
    const admitted = [1, 2, 3, 4, 5].map((n) => queue.admit(Uint8Array.of(n), false));
    setImmediate(() => log.push("other work"));
    const results = await Promise.all(admitted);
    expect(results.map((signed) => signed.bytes[0])).toEqual([1, 2, 3, 4, 5]);
    // The first slice ran, then the task queued meanwhile, then the rest.
    expect(log.indexOf("other work")).toBeGreaterThan(log.indexOf("admit 2"));
    expect(log.indexOf("other work")).toBeLessThan(log.indexOf("admit 5"));
  });

  it("refuses with MEMPOOL_FULL past its bound of waiting bytes, and frees them once admitted", async () => {
    const queue = new AdmissionQueue(async (bytes) => fakeSigned(bytes), {
      sliceTxs: 10,
      waitingMax: 100,
      waitingBytesMax: 100,
      clientBacklogFloorTxs: 100,
    });
    const first = queue.admit(new Uint8Array(60), false);
    await expect(queue.admit(new Uint8Array(60), false)).rejects.toMatchObject({
      code: "MEMPOOL_FULL",
    });
    await first;
    await expect(queue.admit(new Uint8Array(60), false)).resolves.toBeDefined();
  });

  it("keeps running when an admission throws synchronously", async () => {
    const queue = new AdmissionQueue((bytes) => {
      if (bytes[0] === 1) throw new Error("synchronous failure");
      return Promise.resolve(fakeSigned(bytes));
    });
    await expect(queue.admit(Uint8Array.of(1), false)).rejects.toThrow("synchronous failure");
    await expect(queue.admit(Uint8Array.of(2), false)).resolves.toBeDefined();
  });

  it("passes each refusal to its own caller", async () => {
    const queue = new AdmissionQueue(async (bytes) => {
      if (bytes[0] === 2) throw new CareLedgerError("TX_BAD_SIGNATURE");
      return fakeSigned(bytes);
    });
    const [first, second] = await Promise.allSettled([
      queue.admit(Uint8Array.of(1), true),
      queue.admit(Uint8Array.of(2), true),
    ]);
    expect(first.status).toBe("fulfilled");
    expect(second).toMatchObject({ status: "rejected", reason: { code: "TX_BAD_SIGNATURE" } });
  });

  it("refuses with MEMPOOL_FULL past its bound of waiting transactions", async () => {
    const queue = new AdmissionQueue(async (bytes) => fakeSigned(bytes), {
      sliceTxs: 1,
      waitingMax: 2,
      waitingBytesMax: 1_000,
      clientBacklogFloorTxs: 100,
    });
    const accepted = [queue.admit(Uint8Array.of(1), false), queue.admit(Uint8Array.of(2), false)];
    await expect(queue.admit(Uint8Array.of(3), false)).rejects.toMatchObject({
      code: "MEMPOOL_FULL",
    });
    await Promise.all(accepted);
    expect(queue.length).toBe(0);
    await expect(queue.admit(Uint8Array.of(4), false)).resolves.toBeDefined();
  });

  it("sheds a client's transaction once more wait than a second admits, never a peer's", async () => {
    let clock = 0;
    const queue = new AdmissionQueue(
      async (bytes) => fakeSigned(bytes),
      { sliceTxs: 4, waitingMax: 1_000, waitingBytesMax: 1_000_000, clientBacklogFloorTxs: 8 },
      () => clock,
    );
    const floor = Array.from({ length: 8 }, () => queue.admit(Uint8Array.of(1), true));
    await expect(queue.admit(Uint8Array.of(2), true)).rejects.toMatchObject({
      code: "MEMPOOL_FULL",
      details: { retryAfterS: 1 },
    });
    const gossip = queue.admit(Uint8Array.of(3), false);
    await Promise.all([...floor, gossip]);
    // 9 admitted within the last second: now 9 may wait, not only the floor of 8.
    clock = 500;
    const more = Array.from({ length: 9 }, () => queue.admit(Uint8Array.of(4), true));
    await expect(queue.admit(Uint8Array.of(5), true)).rejects.toMatchObject({
      code: "MEMPOOL_FULL",
    });
    await Promise.all(more);
    // A second later the rate has gone: back to the floor.
    clock = 2_000;
    const late = Array.from({ length: 8 }, () => queue.admit(Uint8Array.of(6), true));
    await expect(queue.admit(Uint8Array.of(7), true)).rejects.toMatchObject({
      code: "MEMPOOL_FULL",
    });
    await Promise.all(late);
  });
});
