import { batchesOf, dueCount, type Schedule } from "./openLoop.js";

/** How often the sender wakes to send what has become due. */
export const TICK_MS = 10;

export interface OpenLoopInit {
  readonly schedule: Schedule;
  /** Most transactions in one request. */
  readonly batchMax: number;
  /** Most requests in flight at once; further due batches wait (and their latency counts). */
  readonly clientsMax: number;
  /** Sends transactions [from, to) in one request; never throws (it records failures). */
  readonly send: (from: number, to: number) => Promise<void>;
  /** Called about once a second while the schedule runs. */
  readonly onProgress: (sent: number) => void;
  /** The run gives up on requests still unanswered at this time (ms, performance.now()). */
  readonly deadlineMs: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Sends every transaction of the schedule at its due time, in batches, open loop. */
export async function runOpenLoop(init: OpenLoopInit): Promise<void> {
  const { schedule } = init;
  const queue: Array<[number, number]> = [];
  let sent = 0;
  let inFlight = 0;
  let lastProgressMs = performance.now();
  // `send` is not meant to reject; if it does, the run stops with that error, not the process.
  const broken: unknown[] = [];
  while (
    (sent < schedule.count || queue.length > 0 || inFlight > 0) &&
    performance.now() < init.deadlineMs
  ) {
    if (broken.length > 0) throw broken[0];
    const now = performance.now();
    const due = dueCount(schedule, now);
    if (due > sent) {
      queue.push(...batchesOf(sent, due, init.batchMax));
      sent = due;
    }
    while (inFlight < init.clientsMax && queue.length > 0) {
      const [from, to] = queue.shift() as [number, number];
      inFlight += 1;
      init.send(from, to).then(
        () => {
          inFlight -= 1;
        },
        (error: unknown) => {
          inFlight -= 1;
          broken.push(error);
        },
      );
    }
    if (now - lastProgressMs >= 1000) {
      lastProgressMs = now;
      init.onProgress(sent);
    }
    await sleep(TICK_MS);
  }
}

/** Waits until `pending()` is 0 or `timeoutMs` has passed. */
export async function drain(pending: () => number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (pending() > 0 && performance.now() < deadline) await sleep(TICK_MS * 5);
}
