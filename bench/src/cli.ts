/**
 * `pnpm bench`: the consortium benchmark (README.md beside this directory says what it does).
 * Over 400 lines: the run's order (ceiling, clusters, preload, steps, fault, etcd, report) and the
 * process-wide samplers and listeners they share are here; the next split moves the CareLedger,
 * fault and etcd runs into a file each, with those passed in.
 */
import { readFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { type BenchOptions, parseArgs } from "./args.js";
import { levelEntriesPerSecond, verificationsPerSecond } from "./ceiling.js";
import { machineSubtitle, writeRunCharts } from "./charts/writeCharts.js";
import { BenchCluster, REPO } from "./cluster.js";
import { CostSampler } from "./cost.js";
import { type ClusterState, costTable, mixTable, stateLines } from "./costReport.js";
import { dataBytesPerNode } from "./diskUsage.js";
import { EtcdCluster, ensureEtcd } from "./etcd.js";
import { faultTables } from "./fault/faultReport.js";
import { faultStep } from "./fault/faultRun.js";
import { getJson } from "./http.js";
import { Loadgen } from "./loadgenClient.js";
import { meanBytesOf } from "./mix/sizes.js";
import { loadAverage1m } from "./procStats.js";
import { type CpuProfile, categorize, hottestFunctions } from "./profile.js";
import { breakdownTable, hotTable, type MeasuredStep, stepsTable, writeResults } from "./report.js";
import { headline, measuredStep, runSteps, stepPlan, WindowSampler } from "./runner.js";

const RESULTS_DIR = join(REPO, "bench/results");
/** Concurrent requests of the load generator, for CareLedger and etcd alike. */
const CLIENTS = 64;
const REVOKE_SHARE = 0.1;
const QUICK_CEILING_MS = 1_000;
const HOT_FUNCTIONS = 20;
const LOG_TAIL_LINES = 8;

const log = (line: string) => process.stderr.write(`${line}\n`);
const killers: Array<() => void> = [];
/** Listeners to the load generator's window edges besides the CPU sampler (fault runs). */
const windowListeners = new Set<(edge: "start" | "end") => void>();

function exitOnSignal(signal: NodeJS.Signals): void {
  process.once(signal, () => {
    for (const kill of killers) kill();
    log(`\n${signal}: every process of the run was killed`);
    process.exit(130);
  });
}

async function ceiling(options: BenchOptions) {
  const ms = options.quick ? QUICK_CEILING_MS : undefined;
  const verify = await verificationsPerSecond(ms);
  const levelPerS = await levelEntriesPerSecond(ms);
  const ceilingTps = Math.round(verify.perS / options.nodes);
  log(
    `ceiling: ${verify.perS} verifications/s on ${verify.cores} cores (${ceilingTps} tx/s for ${options.nodes} validators), LevelDB ${levelPerS} entries/s`,
  );
  return { verifyPerS: verify.perS, cores: verify.cores, levelEntriesPerS: levelPerS, ceilingTps };
}

/** CPU and disk writes of the system under test, sampled at the window's edges with `sampler`. */
const costSampler = new CostSampler();
/** The preloaded state of each healthcare cluster, in the order the clusters ran. */
const clusterStates: ClusterState[] = [];

/** A measured step with its cost: the window's committed transactions are tps x window. */
async function costed(options: BenchOptions, step: Promise<MeasuredStep>): Promise<MeasuredStep> {
  const measured = await step;
  const committed = Math.round(measured.result.tps * options.durationS);
  return { ...measured, cost: await costSampler.cost(committed) };
}

/** Profiles written by profiled nodes, per offered rate, with the startup time to leave out. */
const profilesByRate = new Map<number | "all", Array<{ path: string; skipMs: number }>>();

/**
 * Runs `work` on a fresh cluster with the load generator pointed at it, then removes the cluster
 * (copying any profile to bench/results/profiles).
 */
async function withCluster<T>(
  options: BenchOptions,
  loadgen: Loadgen,
  sampler: WindowSampler,
  rateKey: number | "all",
  work: (cluster: BenchCluster) => Promise<T>,
  stepsOf: (result: T) => readonly MeasuredStep[],
): Promise<T> {
  const cluster = await startCluster(options);
  const kill = () => cluster.killNow();
  killers.push(kill);
  let skipMs = 0;
  let lost = false;
  let preloaded: Omit<ClusterState, "dataBytesAtEnd"> | null = null;
  const homes = Array.from({ length: options.nodes }, (_, i) => cluster.home(i));
  try {
    sampler.watch(() => [...cluster.pids(), loadgen.pid]);
    costSampler.watch(() => cluster.pids());
    const urls = cluster.urls();
    const registerBytes = await loadgen.init({
      kind: "init",
      dir: cluster.dir,
      nodes: options.nodes,
      urls,
      eventsUrl: urls[urls.length - 1] as string,
      txSize: options.txSize,
      clients: CLIENTS,
      revokeShare: REVOKE_SHARE,
      mix: options.mix,
    });
    const startS = ((performance.now() - cluster.spawnedAtMs) / 1000).toFixed(1);
    log(
      `cluster of ${options.nodes} ready in ${startS} s; identity.register is ${registerBytes} bytes`,
    );
    if (options.mix === "healthcare") {
      const preload = await loadgen.preload(options.state);
      preloaded = { preload, dataBytesAfterPreload: await dataBytesPerNode(homes) };
      log(`preload: ${preload.txs} transactions in ${preload.seconds} s`);
    }
    skipMs = performance.now() - cluster.spawnedAtMs;
    const result = await work(cluster);
    lost = stepsOf(result).some((step) => step.result.lost > 0);
    return result;
  } finally {
    if (preloaded !== null) {
      clusterStates.push({ ...preloaded, dataBytesAtEnd: await dataBytesPerNode(homes) });
    }
    await describeCluster(cluster, lost);
    const keep = options.profileNode === null ? null : join(RESULTS_DIR, "profiles");
    const paths = await cluster.destroy(keep);
    if (paths.length > 0) log(`profile: ${paths.join(", ")}`);
    profilesByRate.set(
      rateKey,
      paths.map((path) => ({ path, skipMs })),
    );
    killers.splice(killers.indexOf(kill), 1);
  }
}

/** Attempts at starting a cluster: another process may take a port after the free-port check. */
const CLUSTER_START_ATTEMPTS = 3;

/** A ready cluster; a start that lost a port race (EADDRINUSE) is removed and tried again. */
async function startCluster(options: BenchOptions): Promise<BenchCluster> {
  for (let attempt = 1; ; attempt++) {
    const cluster = await BenchCluster.create({
      nodes: options.nodes,
      profileNode: options.profileNode,
      consortium: options.mix === "healthcare",
    });
    const kill = () => cluster.killNow();
    killers.push(kill);
    try {
      await cluster.waitReady();
      return cluster;
    } catch (error) {
      await cluster.destroy();
      const portRace = error instanceof Error && error.message.includes("EADDRINUSE");
      if (!portRace || attempt >= CLUSTER_START_ATTEMPTS) throw error;
      log(`cluster start lost a port race (attempt ${attempt}); starting on other ports`);
    } finally {
      killers.splice(killers.indexOf(kill), 1);
    }
  }
}

/**
 * Quick mode keeps one cluster for its short search. The full run starts a fresh cluster for
 * every step, so a step that overloads the cluster (view changes) cannot spoil the next one.
 */
async function careLedgerRun(options: BenchOptions, loadgen: Loadgen, sampler: WindowSampler) {
  const step = (rate: number) =>
    costed(
      options,
      measuredStep(loadgen, sampler, { kind: "step", plan: stepPlan(options, rate) }),
    );
  if (options.quick) {
    return withCluster(
      options,
      loadgen,
      sampler,
      "all",
      () => runSteps(options, step, log),
      (steps) => steps,
    );
  }
  return runSteps(
    options,
    (rate) =>
      withCluster(
        options,
        loadgen,
        sampler,
        rate,
        () => step(rate),
        (one) => [one],
      ),
    log,
  );
}

/** A fault run (fault/): one fixed-rate step on one cluster, a node killed during the window. */
async function careLedgerFaultRun(options: BenchOptions, loadgen: Loadgen, sampler: WindowSampler) {
  const { fault, rate } = options;
  if (fault === null || rate === null) return null;
  return withCluster(
    options,
    loadgen,
    sampler,
    rate,
    (cluster) =>
      faultStep({
        cluster,
        loadgen,
        sampler,
        options,
        fault,
        rate,
        onWindow: (listener) => {
          windowListeners.add(listener);
          return () => windowListeners.delete(listener);
        },
        log,
      }),
    (run) => [run.step],
  );
}

/** Each node's height, view and peers after the run; log tails when something was lost. */
async function describeCluster(cluster: BenchCluster, lost: boolean) {
  for (const [i, url] of cluster.urls().entries()) {
    try {
      const status = (await getJson(`${url}/v1/status`)) as Record<string, unknown>;
      log(`node-${i}: height ${status.height}, view ${status.view}, peers ${status.peers}`);
    } catch (error) {
      log(`node-${i}: no status (${String(error)})`);
    }
    if (lost) log(cluster.logTail(i, LOG_TAIL_LINES));
  }
}

async function etcdRun(
  options: BenchOptions,
  loadgen: Loadgen,
  sampler: WindowSampler,
  valueBytes: number,
) {
  await ensureEtcd(log);
  const etcd = await EtcdCluster.start();
  killers.push(() => etcd.killNow());
  try {
    sampler.watch(() => [...etcd.pids(), loadgen.pid]);
    costSampler.watch(() => etcd.pids());
    log("etcd: 4 members ready");
    return await runSteps(
      options,
      (rate) =>
        costed(
          options,
          measuredStep(loadgen, sampler, {
            kind: "etcdStep",
            plan: stepPlan(options, rate),
            urls: etcd.clientUrls,
            valueBytes,
          }),
        ),
      (line) => log(`etcd ${line}`),
    );
  } finally {
    await etcd.destroy();
  }
}

/** The main-thread profile of the headline step's cluster, summarised. */
async function profileSummary(rate: number | undefined) {
  const profiles = profilesByRate.get("all") ?? profilesByRate.get(rate ?? -1) ?? [];
  const first = profiles[0];
  if (first === undefined) return null;
  const profile = JSON.parse(await readFile(first.path, "utf8")) as CpuProfile;
  return {
    path: first.path,
    skippedStartupMs: Math.round(first.skipMs),
    categories: categorize(profile, first.skipMs),
    hottest: hottestFunctions(profile, HOT_FUNCTIONS, first.skipMs),
  };
}

function summary(steps: readonly MeasuredStep[]) {
  const best = headline(steps);
  return { best, tps: best?.result.tps ?? 0 };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const startedMs = performance.now();
  const loadAverageAtStart = await loadAverage1m();
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    node: process.version,
  };
  const ceilingFigures = await ceiling(options);
  const interactive = process.stderr.isTTY === true;
  const sampler = new WindowSampler(() => []);
  const loadgen = Loadgen.start({
    onProgress: (text) => process.stderr.write(interactive ? `\r${text}\u001b[K` : `${text}\n`),
    onWindow: (edge) => {
      sampler.edge(edge);
      for (const listener of windowListeners) listener(edge);
      costSampler.edge(edge);
    },
  });
  killers.push(() => loadgen.killNow());
  try {
    const faultRun = await careLedgerFaultRun(options, loadgen, sampler);
    const steps =
      faultRun === null ? await careLedgerRun(options, loadgen, sampler) : [faultRun.step];
    const careLedger = summary(steps);
    // etcd's values are as large as the mix's mean transaction.
    const meanBytes = meanBytesOf(careLedger.best?.result.mix ?? {}) || 200;
    const etcdSteps =
      options.peer === "etcd" ? await etcdRun(options, loadgen, sampler, meanBytes) : null;
    const etcd = etcdSteps === null ? null : summary(etcdSteps);
    const profile = await profileSummary(careLedger.best?.result.rate);
    if (interactive) process.stderr.write("\n");
    printReport(options, steps, etcdSteps, profile, ceilingFigures.ceilingTps, etcd?.tps ?? null);
    if (faultRun !== null) process.stdout.write(`\n${faultTables(faultRun.report)}\n`);
    const best = careLedger.best?.result;
    const result = {
      nodes: options.nodes,
      tps: careLedger.tps,
      offeredRate: best?.rate ?? 0,
      p50Ms: best?.latency.p50Ms ?? 0,
      p95Ms: best?.latency.p95Ms ?? 0,
      p99Ms: best?.latency.p99Ms ?? 0,
      maxMs: best?.latency.maxMs ?? 0,
      lost: steps.reduce((sum, step) => sum + step.result.lost, 0),
      blocksPerS: best?.blocksPerS ?? 0,
      ...ceilingFigures,
      ceilingRatio: Math.round((careLedger.tps / ceilingFigures.ceilingTps) * 1000) / 1000,
      held: careLedger.best?.passed ?? false,
      etcdWritesPerS: etcd?.tps ?? null,
      etcdRatio:
        etcd === null || etcd.tps === 0
          ? null
          : Math.round((careLedger.tps / etcd.tps) * 100) / 100,
      mix: options.mix,
      mixShares: best?.mix ?? null,
      cpuMsPerTx: careLedger.best?.cost?.cpuMsPerTx ?? null,
      writeBytesPerTx: careLedger.best?.cost?.writeBytesPerTx ?? null,
      etcdCpuMsPerTx: etcd?.best?.cost?.cpuMsPerTx ?? null,
      etcdWriteBytesPerTx: etcd?.best?.cost?.writeBytesPerTx ?? null,
      state: clusterStates[0] ?? null,
      states: clusterStates,
      machine: { ...machine, loadAverageAtStart },
      options,
      elapsedS: Math.round((performance.now() - startedMs) / 1000),
      steps,
      etcdSteps,
      fault: faultRun?.report ?? null,
      profile:
        profile === null ? null : { ...profile, hottest: profile.hottest.slice(0, HOT_FUNCTIONS) },
    };
    const path = await writeResults(RESULTS_DIR, result);
    log(`results: ${path} (${result.elapsedS} s)`);
    const subtitle = machineSubtitle(result.machine, new Date());
    for (const chart of await writeRunCharts(path, result, subtitle)) log(`chart: ${chart}`);
    if (options.json) {
      const {
        steps: _s,
        etcdSteps: _e,
        profile: _p,
        fault: _f,
        states: _c,
        ...headlineFields
      } = result;
      process.stdout.write(`${JSON.stringify(headlineFields)}\n`);
    }
  } finally {
    await loadgen.stop();
  }
}

function printReport(
  options: BenchOptions,
  steps: readonly MeasuredStep[],
  etcdSteps: readonly MeasuredStep[] | null,
  profile: Awaited<ReturnType<typeof profileSummary>> | null,
  ceilingTps: number,
  etcdTps: number | null,
): void {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const best = headline(steps);
  out(
    `\nCareLedger, ${options.nodes} validators (CPU % per node: node-0 is the first primary; the load generator is apart)`,
  );
  out(stepsTable(steps));
  if (best !== undefined) {
    const mix = Object.entries(best.result.mix)
      .map(([type, m]) => `${type} x${m.count} (${m.meanBytes} B)`)
      .join(", ");
    out(
      `\nheadline: ${best.result.tps} tx/s at offered ${best.result.rate}/s, p99 ${best.result.latency.p99Ms} ms, ${((best.result.tps / ceilingTps) * 100).toFixed(0)}% of ceilingTps ${ceilingTps}; load generator CPU ${best.loadgenCpuPercent}%; mix: ${mix}`,
    );
    out(`\nmix of the headline step (${options.mix})`);
    out(mixTable(best.result.mix));
  }
  const state = clusterStates[0];
  if (state !== undefined) out(`\n${stateLines(state)}`);
  out("\ncost: the whole cluster's CPU and disk writes per transaction committed in the window");
  out(costTable(steps));
  if (etcdSteps !== null) {
    out("\netcd, 4 members (same clients, rates and payload size)");
    out(stepsTable(etcdSteps));
    out("\netcd cost: the 4 members' CPU and disk writes per acknowledged write in the window");
    out(costTable(etcdSteps));
    if (etcdTps !== null && etcdTps > 0)
      out(`\nCareLedger / etcd: ${((best?.result.tps ?? 0) / etcdTps).toFixed(2)}`);
  }
  if (profile !== null) {
    out(`\nCPU of the profiled node (${profile.path})`);
    out(breakdownTable(profile.categories));
    out("");
    out(hotTable(profile.hottest));
  }
}

exitOnSignal("SIGINT");
exitOnSignal("SIGTERM");
main().then(
  () => process.exit(0),
  (error: unknown) => {
    for (const kill of killers) kill();
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
