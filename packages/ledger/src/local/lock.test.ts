import { describe, expect, it } from "vitest";
import { SharedExclusiveLock } from "./lock.js";

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe("SharedExclusiveLock", () => {
  it("runs shared holders together, an exclusive one alone, and a waiting exclusive before later shared ones", async () => {
    const lock = new SharedExclusiveLock();
    const order: string[] = [];
    const firstRead = gate();
    const reads = [
      lock.withShared(async () => {
        order.push("read 1 start");
        await firstRead.opened;
        order.push("read 1 end");
      }),
      lock.withShared(async () => {
        order.push("read 2");
      }),
    ];
    const erase = lock.withExclusive(async () => {
      order.push("erase");
    });
    const lateRead = lock.withShared(async () => {
      order.push("late read");
    });
    await reads[1];
    expect(order).toEqual(["read 1 start", "read 2"]);
    firstRead.open();
    await Promise.all([...reads, erase, lateRead]);
    expect(order).toEqual(["read 1 start", "read 2", "read 1 end", "erase", "late read"]);
  });

  it("releases the lock when the holder throws", async () => {
    const lock = new SharedExclusiveLock();
    await expect(
      lock.withExclusive(async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await lock.withExclusive(async () => 7)).toBe(7);
  });
});
