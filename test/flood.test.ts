import { readFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { nodeCryptoSigner } from "@careledger/node";
import { ADMIN_KEY_FILE } from "@careledger/node/devnet";
import { fromHex, isErrorCode, NONCE_BYTES, type SignedTx, signTx } from "@careledger/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitAllAtHeight } from "./harness/agreement.js";
import { txStatus } from "./harness/clients.js";
import { Cluster, waitFor } from "./harness/cluster.js";

/**
 * Issue 11 item 12, at about 10x the sustainable rate: a batch of 500 every 50 ms plus 100
 * single submissions a second for 20 s, all at node 0. Before, most requests got no answer
 * within 35 s, /healthz failed and latency came back 74 s after the flood.
 */
const FLOOD_MS = 20_000;
const BATCH_EVERY_MS = 50;
const BATCH_TXS = 500;
const SINGLES_PER_S = 100;
/** A client's own timeout: the node's handler deadline (10 s) and room for a loaded machine. */
const CLIENT_TIMEOUT_MS = 15_000;
const PROBE_EVERY_MS = 250;
const PROBE_ANSWER_MS_MAX = 1_000;
/** Memory of the flooded node: its pool and queues are bounded, so its RSS must be too. */
const RSS_BYTES_MAX = 1_536 * 1024 * 1024;
const RECOVERY_MS = 5_000;
/** A transaction sent once the flood is over commits about as fast as before it. */
const COMMIT_MS_MAX_AFTER = 3_000;
/**
 * Distinct transactions signed before the flood (about 3 s of signing). The flood sends
 * 200,000: it cycles through these, so a repeat of one already admitted is refused as a
 * duplicate, also a coded answer, and the node still decodes and hashes every one.
 */
const DISTINCT_TXS = 60_000;
const WAIT_MS_MAX = 90_000;
const ALL = [0, 1, 2, 3];

let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.create(4);
  cluster.startAll();
  await waitAllAtHeight(cluster, ALL, 1, WAIT_MS_MAX);
}, 150_000);

afterAll(async () => {
  await cluster.destroy();
});

interface Answer {
  readonly ms: number;
  readonly status: number;
  readonly body: unknown;
}

/** One request with a client timeout; the time runs from when it was due, not when it left. */
function send(agent: Agent, url: string, path: string, body: string | null): Promise<Answer> {
  const started = Date.now();
  return new Promise((done) => {
    const req = request(`${url}${path}`, {
      method: body === null ? "GET" : "POST",
      agent,
      headers: body === null ? {} : { "content-type": "application/json" },
    });
    const timer = setTimeout(() => req.destroy(new Error("client timeout")), CLIENT_TIMEOUT_MS);
    req.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString();
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
        done({ ms: Date.now() - started, status: response.statusCode ?? 0, body: parsed });
      });
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      done({ ms: Date.now() - started, status: 0, body: String(error) });
    });
    req.end(body ?? undefined);
  });
}

/** Answered in time with success or the one error shape and a registry code. */
function coded(answer: Answer): boolean {
  if (answer.ms > CLIENT_TIMEOUT_MS || answer.status === 0) return false;
  if (answer.status >= 200 && answer.status < 300) return true;
  const error = (answer.body as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === "string" && isErrorCode(error.code);
}

function rssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match === null ? 0 : Number(match[1]) * 1024;
}

async function signAll(count: number, expires: number): Promise<string[]> {
  const chain = fromHex((await cluster.status(0)).chain, 32);
  const hex = (await readFile(join(cluster.home(0), ADMIN_KEY_FILE), "utf8")).trim();
  const admin = nodeCryptoSigner(fromHex(hex, 32));
  return Array.from({ length: count }, () => {
    const payload = {
      key: crypto.getRandomValues(new Uint8Array(32)),
      org: "org-0",
      roles: ["clinician"],
    };
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const signed: SignedTx = signTx(
      { v: 1, chain, type: "identity.register", nonce, expires, payload },
      admin,
    );
    return Buffer.from(signed.bytes).toString("base64");
  });
}

/** Milliseconds from submission to commit, or what the node answered instead of admitting. */
async function commitMs(url: string, tx: string): Promise<number | Answer> {
  const agent = new Agent();
  const started = Date.now();
  const answer = await send(agent, url, "/v1/txs", JSON.stringify({ tx }));
  agent.destroy();
  if (answer.status !== 202) return answer;
  const id = (answer.body as { id: string }).id;
  await waitFor("a transaction after the flood to commit", WAIT_MS_MAX, async () =>
    (await txStatus(url, id)).status === "committed" ? true : undefined,
  );
  return Date.now() - started;
}

describe("a 10x flood of submissions", () => {
  it("is shed with coded answers; probes answer within 1 s, memory stays bounded, latency recovers within 5 s", async () => {
    const url = cluster.url(0);
    const expires = (await cluster.status(0)).height + 900;
    const txs = await signAll(DISTINCT_TXS + 10, expires);
    const [before, after] = [txs.pop() as string, txs.pop() as string];
    const baseline = await commitMs(url, before);

    const floodAgent = new Agent({ keepAlive: true, maxSockets: 1_024 });
    const probeAgent = new Agent({ keepAlive: true, maxSockets: 4 });
    const answers: Promise<Answer>[] = [];
    const probes: Promise<Answer & { at: number; path: string }>[] = [];
    // Bodies built before the flood: the client's own event loop must keep its schedule.
    const batchBodies: string[] = [];
    for (let at = 0; at + BATCH_TXS <= txs.length; at += BATCH_TXS) {
      batchBodies.push(JSON.stringify({ txs: txs.slice(at, at + BATCH_TXS) }));
    }
    // Singles from the end of the pool, batches from the start: apart until the batches wrap.
    const singleBodies = txs
      .slice(-SINGLES_PER_S * (FLOOD_MS / 1_000))
      .map((tx) => JSON.stringify({ tx }));
    let batches = 0;
    let singles = 0;
    let peakRss = 0;
    const pid = cluster.pid(0);
    const started = Date.now();
    const clientLoop = monitorEventLoopDelay({ resolution: 10 });
    clientLoop.enable();
    const timers = [
      setInterval(() => {
        const body = batchBodies[batches++ % batchBodies.length] as string;
        answers.push(send(floodAgent, url, "/v1/txs/batch", body));
      }, BATCH_EVERY_MS),
      setInterval(() => {
        const body = singleBodies[singles++ % singleBodies.length] as string;
        answers.push(send(floodAgent, url, "/v1/txs", body));
      }, 1_000 / SINGLES_PER_S),
      setInterval(() => {
        const at = Date.now() - started;
        probes.push(send(probeAgent, url, "/healthz", null).then((a) => ({ ...a, at, path: "h" })));
        probes.push(
          send(probeAgent, url, "/v1/status", null).then((a) => ({ ...a, at, path: "s" })),
        );
        readFile(`/proc/${pid}/status`, "utf8").then(
          (text) => {
            peakRss = Math.max(peakRss, rssBytes(text));
          },
          () => undefined, // the node is gone: its last reading stands
        );
      }, PROBE_EVERY_MS),
    ];
    await new Promise((done) => setTimeout(done, FLOOD_MS));
    for (const timer of timers) clearInterval(timer);
    clientLoop.disable();
    const floodEnded = Date.now();

    // Latency: a transaction sent 5 s after the flood commits about as fast as before it.
    await new Promise((done) => setTimeout(done, RECOVERY_MS));
    const recovered = await commitMs(url, after);

    const settled = await Promise.all(answers);
    // The node's own view of its event loop (prom-client's default metrics), for the summary.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const loopLag = (name: string) =>
      Number(
        new RegExp(`^careledger_process_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, "m").exec(
          metrics,
        )?.[1],
      );
    const probed = await Promise.all(probes);
    floodAgent.destroy();
    probeAgent.destroy();
    const bySecond = new Map<number, { n: number; msMax: number; codes: Record<string, number> }>();
    settled.forEach((answer) => {
      const code = String(
        (answer.body as { error?: { code?: string } } | null)?.error?.code ?? answer.status,
      );
      const second = Math.floor(answer.ms / 1_000);
      const entry = bySecond.get(second) ?? { n: 0, msMax: 0, codes: {} };
      entry.n += 1;
      entry.codes[code] = (entry.codes[code] ?? 0) + 1;
      bySecond.set(second, entry);
    });
    const late = settled.filter((answer) => !coded(answer));
    const slowProbes = probed.filter(
      (answer) => answer.status !== 200 || answer.ms > PROBE_ANSWER_MS_MAX,
    );
    const admitted = settled.filter((answer) => answer.status === 202).length;
    const summary = {
      requests: settled.length,
      uncoded: late.length,
      firstUncoded: late.slice(0, 3),
      probes: probed.length,
      slowProbes: slowProbes.length,
      // When each slow probe was sent (ms into the flood), which (h: /healthz, s: /v1/status).
      slowAt: slowProbes.map((probe) => `${probe.path}@${probe.at}:${probe.ms}ms`),
      probeMsMax: Math.max(...probed.map((answer) => answer.ms)),
      peakRssMiB: Math.round(peakRss / 1024 / 1024),
      baselineMs: baseline,
      recoveredMs: recovered,
      admittedSingles: admitted,
      floodMs: floodEnded - started,
      loopLagMaxS: loopLag("max"),
      loopLagP99S: loopLag("p99"),
      clientLoopLagMaxS: clientLoop.max / 1e9,
      answerSeconds: Object.fromEntries(bySecond),
    };
    console.log(JSON.stringify(summary));
    expect(late, JSON.stringify(summary)).toHaveLength(0);
    expect(slowProbes, JSON.stringify(summary)).toHaveLength(0);
    expect(peakRss, JSON.stringify(summary)).toBeGreaterThan(0);
    expect(peakRss, JSON.stringify(summary)).toBeLessThan(RSS_BYTES_MAX);
    expect(typeof baseline, JSON.stringify(summary)).toBe("number");
    expect(recovered, JSON.stringify(summary)).toBeLessThan(COMMIT_MS_MAX_AFTER);
  }, 240_000);
});
