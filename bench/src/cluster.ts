import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeHomeOf, writeDevnetLayout } from "@careledger/node/devnet";
import { freePortRange, waitFor } from "../../test/harness/cluster.js";
import { REPO, spawnNodeProcess } from "../../test/harness/nodeProcess.js";
import { type ProcessSample, sampleProcess } from "./procStats.js";

export { REPO };

/**
 * How long a fresh cluster may take to start, connect and commit its first block: a base plus
 * a share per node (ten nodes compiling TypeScript on two busy cores took over a minute).
 */
const READY_TIMEOUT_BASE_MS = 30_000;
const READY_TIMEOUT_PER_NODE_MS = 10_000;
/** How long a node may take to stop after SIGTERM (a profiled one writes its profile then). */
const STOP_TIMEOUT_MS = 20_000;
/** Log lines kept per node, for the error message when something goes wrong. */
const LOG_LINES_MAX = 200;

export interface ClusterInit {
  readonly nodes: number;
  /** A node run under `node --cpu-prof`, or null. */
  readonly profileNode: number | null;
  /** The demo consortium's organizations (the healthcare mix needs its kinds), not org-i. */
  readonly consortium?: boolean;
}

/** A fresh devnet of N validator processes on 127.0.0.1, spawned and owned by the benchmark. */
export class BenchCluster {
  private readonly children: ChildProcess[] = [];
  private readonly logs: string[][] = [];
  /** When the nodes were spawned (performance.now()), to leave startup out of a profile. */
  readonly spawnedAtMs = performance.now();

  private constructor(
    readonly dir: string,
    readonly nodes: number,
    readonly apiPort: number,
    readonly profileDir: string,
    private readonly profileNode: number | null,
  ) {}

  static async create(init: ClusterInit): Promise<BenchCluster> {
    const dir = await mkdtemp(join(tmpdir(), "careledger-bench-"));
    const apiPort = await freePortRange(2 * init.nodes);
    await writeDevnetLayout({
      nodes: init.nodes,
      dir,
      apiPort,
      p2pPort: apiPort + init.nodes,
      consortium: init.consortium ?? false,
    });
    const cluster = new BenchCluster(
      dir,
      init.nodes,
      apiPort,
      join(dir, "profiles"),
      init.profileNode,
    );
    await mkdir(cluster.profileDir, { recursive: true });
    for (let i = 0; i < init.nodes; i++) cluster.spawnNode(i);
    return cluster;
  }

  url(index: number): string {
    return `http://127.0.0.1:${this.apiPort + index}`;
  }

  urls(): string[] {
    return Array.from({ length: this.nodes }, (_, i) => this.url(i));
  }

  home(index: number): string {
    return nodeHomeOf(this.dir, index);
  }

  pids(): number[] {
    return this.children.map((child) => child.pid ?? -1);
  }

  private spawnNode(index: number): void {
    const profile =
      index === this.profileNode ? ["--cpu-prof", `--cpu-prof-dir=${this.profileDir}`] : [];
    const lines: string[] = [];
    const child = spawnNodeProcess(this.home(index), lines, {
      nodeFlags: profile,
      linesMax: LOG_LINES_MAX,
    });
    this.children[index] = child;
    this.logs[index] = lines;
  }

  /** Fault runs: SIGKILLs one node (no orderly stop) and resolves once it has exited. */
  async killNode(index: number): Promise<void> {
    const child = this.children[index];
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.kill("SIGKILL");
    await exited;
  }

  /** Fault runs: starts a killed node again on the same home, with the same command. */
  restartNode(index: number): void {
    const child = this.children[index];
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      throw new Error(`node-${index} is still running`);
    }
    this.spawnNode(index);
  }

  /** Waits until every node answers and the cluster has committed a block. */
  async waitReady(): Promise<void> {
    const timeoutMs = READY_TIMEOUT_BASE_MS + READY_TIMEOUT_PER_NODE_MS * this.nodes;
    await waitFor("every node to answer at height >= 1", timeoutMs, async () => {
      for (const [i, child] of this.children.entries()) {
        if (child.exitCode !== null) throw new Error(`node-${i} exited:\n${this.logTail(i)}`);
      }
      const heights = await Promise.all(this.urls().map((url) => statusHeight(url)));
      return heights.every((height) => height >= 1) ? true : undefined;
    });
  }

  async sample(): Promise<Array<ProcessSample | null>> {
    return Promise.all(this.pids().map((pid) => sampleProcess(pid)));
  }

  logTail(index: number, count = 20): string {
    return (this.logs[index] ?? []).slice(-count).join("\n");
  }

  /** Stops every node (SIGTERM, then SIGKILL after a bound, or at once) and removes the devnet. */
  async destroy(keepProfilesIn: string | null = null): Promise<string[]> {
    // The devnet is thrown away, so only a profiled node needs an orderly stop (V8 writes the
    // profile on exit); the others are killed at once, which saves seconds per step.
    const timeoutMs = keepProfilesIn === null ? 0 : STOP_TIMEOUT_MS;
    await Promise.all(this.children.map((child) => stopChild(child, timeoutMs)));
    let profiles: string[] = [];
    if (keepProfilesIn !== null) {
      const names = (await readdir(this.profileDir))
        .filter((n) => n.endsWith(".cpuprofile"))
        .sort();
      await mkdir(keepProfilesIn, { recursive: true });
      profiles = await Promise.all(
        names.map(async (name) => {
          const target = join(keepProfilesIn, name);
          await copyFile(join(this.profileDir, name), target);
          return target;
        }),
      );
    }
    await rm(this.dir, { recursive: true, force: true });
    return profiles;
  }

  /** Last resort on exit paths that cannot wait: SIGKILL every node now. */
  killNow(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function statusHeight(url: string): Promise<number> {
  const response = await fetch(`${url}/v1/status`);
  if (!response.ok) throw new Error(`status ${response.status}`);
  return ((await response.json()) as { height: number }).height;
}

/** SIGTERM, then SIGKILL if the child has not exited within `timeoutMs`. */
export async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await exited;
  clearTimeout(timer);
}
