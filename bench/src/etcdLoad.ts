import { randomBytes } from "node:crypto";
import { clientAgent, postJson, REQUEST_TIMEOUT_MS } from "./http.js";
import type { StepResult, ToLoadgen } from "./messages.js";
import { countFor, scheduledAtMs } from "./openLoop.js";
import { drain, runOpenLoop } from "./openLoopRun.js";
import { StepTracker } from "./stepTracker.js";

const START_DELAY_MS = 200;
const KEY_BYTES = 16;

/**
 * The same open-loop step against etcd's JSON gateway: one `PUT` per transaction (the gateway
 * has no batch write), members in turn, at most `clients` requests in flight. etcd acknowledges
 * a write once a majority has it in its log, so acknowledgement time is commit time.
 */
export async function etcdStep(
  message: Extract<ToLoadgen, { kind: "etcdStep" }>,
  clients: number,
  progress: (text: string) => void,
  edge: (edge: "start" | "end") => void,
): Promise<StepResult> {
  const { plan, urls, valueBytes } = message;
  const agent = clientAgent(clients);
  const signedAt = performance.now();
  const total = countFor(plan.rate, (plan.warmupMs + plan.windowMs) / 1000);
  const bodies = Array.from({ length: total }, () => ({
    key: randomBytes(KEY_BYTES).toString("base64"),
    value: randomBytes(valueBytes).toString("base64"),
  }));
  const presignMs = Math.round(performance.now() - signedAt);
  const schedule = { startMs: performance.now() + START_DELAY_MS, rate: plan.rate, count: total };
  const window = {
    startMs: schedule.startMs + plan.warmupMs,
    endMs: schedule.startMs + plan.warmupMs + plan.windowMs,
  };
  const tracker = new StepTracker((i) => scheduledAtMs(schedule, i), total, window);
  const timers = [
    setTimeout(() => edge("start"), window.startMs - performance.now()),
    setTimeout(() => edge("end"), window.endMs - performance.now()),
  ];
  let next = 0;
  const put = async (i: number) => {
    const url = urls[next++ % urls.length] as string;
    try {
      const answer = await postJson(agent, `${url}/v3/kv/put`, bodies[i]);
      if (answer.status !== 200) return tracker.refuse(`HTTP_${answer.status}`);
      tracker.admit(i);
      tracker.commit(i, performance.now(), true, undefined);
    } catch {
      tracker.refuse("NETWORK");
    }
  };
  try {
    await runOpenLoop({
      schedule,
      batchMax: 1,
      clientsMax: clients,
      send: (from) => put(from),
      onProgress: (sent) => {
        const p = tracker.progress();
        progress(
          `etcd rate ${plan.rate}/s sent ${sent} acknowledged ${p.committed} refused ${p.refused}`,
        );
      },
      deadlineMs: window.endMs + REQUEST_TIMEOUT_MS,
    });
    await drain(() => tracker.pending(), plan.drainMs);
    const bytes = valueBytes + KEY_BYTES;
    const mix = {
      "etcd.put": { count: total, share: 1, meanBytes: bytes, p50Bytes: bytes, maxBytes: bytes },
    };
    return { rate: plan.rate, presignMs, mix, ...tracker.outcome() };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    agent.destroy();
  }
}
