/**
 * The load generator: a separate process (forked by cli.ts) so that signing, sending and
 * observing commits never share an event loop with the measuring parent or with a node.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DEVNET_GENESIS_FILE } from "@careledger/node/devnet";
import { chainIdOf, parseGenesis } from "@careledger/protocol";
import { CareLedgerClient, signedRequestHeaders } from "@careledger/sdk";
import {
  BATCH_TXS_MAX,
  type LoadContext,
  presign,
  revokesNeeded,
  sendBatch,
} from "./careLedgerLoad.js";
import { CommitStream } from "./commitStream.js";
import { etcdStep } from "./etcdLoad.js";
import { samplesOf } from "./fault/txSamples.js";
import { clientAgent, REQUEST_TIMEOUT_MS } from "./http.js";
import type { FromLoadgen, StepPlan, StepResult, ToLoadgen } from "./messages.js";
import { prepareHealthcareStep } from "./mix/healthcareStep.js";
import { createWorld, type World } from "./mix/world.js";
import { scheduledAtMs } from "./openLoop.js";
import { drain, runOpenLoop } from "./openLoopRun.js";
import { preload } from "./preload.js";
import { registerAccounts } from "./setup.js";
import { StepTracker } from "./stepTracker.js";
import { devnetOrgs, registerTx, roleCountFor } from "./txMix.js";

/** Delay between the end of signing and the first scheduled send. */
const START_DELAY_MS = 200;

export interface Router {
  tracker: StepTracker | null;
  setup: ((idHex: string, ok: boolean, code: string | undefined) => void) | null;
}

const send = (message: FromLoadgen) => process.send?.(message);

let context: LoadContext | null = null;
let stream: CommitStream | null = null;
/** The healthcare mix's people and preloaded things; null with the identity mix. */
let world: World | null = null;
const router: Router = { tracker: null, setup: null };

async function init(message: Extract<ToLoadgen, { kind: "init" }>): Promise<void> {
  const genesis = parseGenesis(
    JSON.parse(await readFile(join(message.dir, DEVNET_GENESIS_FILE), "utf8")),
  );
  const chain = chainIdOf(genesis);
  const orgs = await devnetOrgs(message.dir, message.nodes);
  const org = orgs[0];
  if (org === undefined) throw new Error("no organization");
  const sizeOf = (roles: number) => registerTx(org, chain, 1, new Uint8Array(32), roles).bytes;
  const roleCount = roleCountFor(message.txSize, sizeOf);
  context = {
    urls: message.urls,
    orgs,
    chain,
    agent: clientAgent(message.clients),
    roleCount,
    revokeShare: message.revokeShare,
    accounts: [],
  };
  world = message.mix === "healthcare" ? await createWorld(message.dir, genesis, chain) : null;
  // A new cluster for every step in a full run: the previous one is gone.
  stream?.stop();
  const events = await new CareLedgerClient(message.eventsUrl).status();
  const target = { chainId: chain, nodeKey: events.node };
  const sign = (path: string) => signedRequestHeaders(org.admin, target, "GET", path);
  stream = new CommitStream(
    message.eventsUrl,
    {
      onTx(idHex, ok, code) {
        const tracker = router.tracker;
        const i = tracker?.indexOf(idHex);
        if (tracker !== null && i !== undefined) tracker.commit(i, performance.now(), ok, code);
        router.setup?.(idHex, ok, code);
      },
      onBlock() {
        router.tracker?.block(performance.now());
      },
    },
    sign,
  );
  await stream.start();
  send({ kind: "ready", registerBytes: sizeOf(roleCount) });
}

/** The identity mix: the revoking accounts registered (untimed), then the step signed. */
async function prepareIdentityStep(ctx: LoadContext, plan: StepPlan) {
  const deficit = revokesNeeded(plan, ctx.revokeShare) - ctx.accounts.length;
  if (deficit > 0) ctx.accounts.push(...(await registerAccounts(ctx, router, deficit)));
  const signedAt = performance.now();
  const { txs, mix } = await presign(ctx, plan);
  return { txs, mix, presignMs: Math.round(performance.now() - signedAt) };
}

async function step(plan: StepPlan, clients: number): Promise<StepResult> {
  if (context === null) throw new Error("step before init");
  const ctx = context;
  const { txs, mix, presignMs } =
    world !== null
      ? await prepareHealthcareStep(world, ctx, router, plan, (text) =>
          send({ kind: "progress", text }),
        )
      : await prepareIdentityStep(ctx, plan);
  const schedule = {
    startMs: performance.now() + START_DELAY_MS,
    rate: plan.rate,
    count: txs.length,
  };
  const window = {
    startMs: schedule.startMs + plan.warmupMs,
    endMs: schedule.startMs + plan.warmupMs + plan.windowMs,
  };
  const tracker = new StepTracker(
    (i) => scheduledAtMs(schedule, i),
    txs.length,
    window,
    txs.map((tx) => tx.idHex),
  );
  router.tracker = tracker;
  const edges = [
    setTimeout(() => send({ kind: "window", edge: "start" }), window.startMs - performance.now()),
    setTimeout(() => send({ kind: "window", edge: "end" }), window.endMs - performance.now()),
  ];
  const report = (sent: number) => {
    const p = tracker.progress();
    const elapsed = ((performance.now() - schedule.startMs) / 1000).toFixed(0);
    send({
      kind: "progress",
      text: `rate ${plan.rate}/s t=${elapsed}s sent ${sent} admitted ${p.admitted} committed ${p.committed} refused ${p.refused}`,
    });
  };
  try {
    await runOpenLoop({
      schedule,
      batchMax: BATCH_TXS_MAX,
      clientsMax: clients,
      send: (from, to) => sendBatch(ctx, txs, from, to, tracker),
      onProgress: report,
      deadlineMs: window.endMs + REQUEST_TIMEOUT_MS,
    });
    await drain(() => tracker.pending(), plan.drainMs);
    const streamError = stream?.error();
    if (streamError) throw new Error(`event stream broke: ${streamError.message}`);
    const outcome = { rate: plan.rate, presignMs, mix, ...tracker.outcome() };
    if (plan.samples !== true) return outcome;
    return { ...outcome, samples: samplesOf(tracker, (i) => scheduledAtMs(schedule, i), window) };
  } finally {
    for (const edge of edges) clearTimeout(edge);
    router.tracker = null;
  }
}

let clientsCount = 1;

process.on("message", (message: ToLoadgen) => {
  const run = async () => {
    if (message.kind === "init") {
      clientsCount = message.clients;
      await init(message);
    } else if (message.kind === "preload") {
      if (context === null || world === null) throw new Error("preload without the healthcare mix");
      const report = await preload(world, context, router, message.state, (text) =>
        send({ kind: "progress", text }),
      );
      send({ kind: "preloaded", report });
    } else if (message.kind === "step") {
      send({ kind: "result", result: await step(message.plan, clientsCount) });
    } else {
      const result = await etcdStep(
        message,
        clientsCount,
        (text) => send({ kind: "progress", text }),
        (edge) => send({ kind: "window", edge }),
      );
      send({ kind: "result", result });
    }
  };
  run().catch((error: unknown) => {
    send({
      kind: "error",
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  });
});

// The parent owns this process: when it goes, so does the load.
process.on("disconnect", () => {
  stream?.stop();
  process.exit(0);
});
