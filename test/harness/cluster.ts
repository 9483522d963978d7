import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { nodeHomeOf, writeDevnetLayout } from "@careledger/node/devnet";

const REPO = resolve(import.meta.dirname, "../..");
const CLI = join(REPO, "packages/node/src/cli/main.ts");
const TSX = join(REPO, "node_modules/.bin/tsx");
const POLL_MS = 50;

export interface StatusView {
  chain: string;
  height: number;
  headHash: string;
  stateRoot: string;
  view: number;
  peers: number;
  syncing: boolean;
}

/** A free TCP port on 127.0.0.1, found by binding port 0. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** Polls `check` until it returns a value, or fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what} (last error: ${String(lastError)})`,
  );
}

/** N validator processes on 127.0.0.1, each started with `careledger start --home`. */
export class Cluster {
  private readonly processes = new Map<number, ChildProcess>();
  readonly logs = new Map<number, string[]>();

  private constructor(
    readonly dir: string,
    readonly size: number,
    readonly apiPort: number,
    readonly p2pPort: number,
  ) {}

  static async create(size: number): Promise<Cluster> {
    const dir = await mkdtemp(join(tmpdir(), "careledger-cluster-"));
    // Consecutive ports from a free base; a collision shows up as a failed start, not a hang.
    const apiPort = await freePort();
    const p2pPort = await freePort();
    await writeDevnetLayout({ nodes: size, dir, apiPort, p2pPort });
    return new Cluster(dir, size, apiPort, p2pPort);
  }

  url(index: number): string {
    return `http://127.0.0.1:${this.apiPort + index}`;
  }

  home(index: number): string {
    return nodeHomeOf(this.dir, index);
  }

  start(index: number): void {
    const child = spawn(TSX, ["--conditions=source", CLI, "start", "--home", this.home(index)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines = this.logs.get(index) ?? [];
    this.logs.set(index, lines);
    const keep = (chunk: Buffer) => {
      lines.push(
        ...chunk
          .toString()
          .split("\n")
          .filter((line) => line.length > 0),
      );
      if (lines.length > 2_000) lines.splice(0, lines.length - 2_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.processes.set(index, child);
  }

  startAll(): void {
    for (let i = 0; i < this.size; i++) this.start(i);
  }

  /** Kills a node (SIGKILL by default: no chance to clean up) and waits for it to exit. */
  async kill(index: number, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.processes.get(index);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.kill(signal);
    await exited;
    this.processes.delete(index);
  }

  async status(index: number): Promise<StatusView> {
    const response = await fetch(`${this.url(index)}/v1/status`);
    if (!response.ok) throw new Error(`status ${response.status}`);
    return (await response.json()) as StatusView;
  }

  async waitForHeight(index: number, height: number, timeoutMs: number): Promise<StatusView> {
    return waitFor(`node-${index} at height ${height}`, timeoutMs, async () => {
      const status = await this.status(index);
      return status.height >= height ? status : undefined;
    });
  }

  /** The block hash at `height` on node `index`, from its API. */
  async blockHash(index: number, height: number): Promise<string> {
    const response = await fetch(`${this.url(index)}/v1/blocks/${height}`);
    if (!response.ok) throw new Error(`block ${height}: ${response.status}`);
    return ((await response.json()) as { hash: string }).hash;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((index) => this.kill(index, "SIGTERM")));
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((index) => this.kill(index)));
    await rm(this.dir, { recursive: true, force: true });
  }

  logTail(index: number, lines = 40): string {
    return (this.logs.get(index) ?? []).slice(-lines).join("\n");
  }
}
