import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePortRange, waitFor } from "../../test/harness/cluster.js";
import { stopChild } from "./cluster.js";

const run = promisify(execFile);

export const ETCD_MEMBERS = 4;
const INSTALL_TIMEOUT_MS = 5 * 60_000;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const ETCD_BINARY = "/usr/bin/etcd";

async function hasEtcd(): Promise<boolean> {
  try {
    await run(ETCD_BINARY, ["--version"], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Installs Debian's etcd-server when etcd is missing (the benchmark runs as root). */
export async function ensureEtcd(log: (line: string) => void): Promise<void> {
  if (await hasEtcd()) return;
  log("installing etcd-server (apt-get)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update"], { timeout: INSTALL_TIMEOUT_MS, env });
  await run("apt-get", ["install", "-y", "etcd-server"], { timeout: INSTALL_TIMEOUT_MS, env });
  if (!(await hasEtcd())) throw new Error("etcd-server installed but etcd does not run");
}

/** A 4-member etcd cluster on 127.0.0.1 with temporary data directories. */
export class EtcdCluster {
  private constructor(
    private readonly dir: string,
    private readonly children: ChildProcess[],
    readonly clientUrls: string[],
  ) {}

  static async start(): Promise<EtcdCluster> {
    const dir = await mkdtemp(join(tmpdir(), "careledger-bench-etcd-"));
    const base = await freePortRange(2 * ETCD_MEMBERS);
    const members = Array.from({ length: ETCD_MEMBERS }, (_, i) => ({
      name: `m${i}`,
      client: `http://127.0.0.1:${base + i}`,
      peer: `http://127.0.0.1:${base + ETCD_MEMBERS + i}`,
    }));
    const initialCluster = members.map((m) => `${m.name}=${m.peer}`).join(",");
    const children = members.map((m) =>
      spawn(
        ETCD_BINARY,
        [
          `--name=${m.name}`,
          `--data-dir=${join(dir, m.name)}`,
          `--listen-client-urls=${m.client}`,
          `--advertise-client-urls=${m.client}`,
          `--listen-peer-urls=${m.peer}`,
          `--initial-advertise-peer-urls=${m.peer}`,
          `--initial-cluster=${initialCluster}`,
          "--initial-cluster-state=new",
          "--initial-cluster-token=careledger-bench",
          "--log-level=error",
        ],
        { stdio: ["ignore", "ignore", "ignore"] },
      ),
    );
    const cluster = new EtcdCluster(
      dir,
      children,
      members.map((m) => m.client),
    );
    try {
      await waitFor("etcd members to report healthy", READY_TIMEOUT_MS, async () => {
        const answers = await Promise.all(
          cluster.clientUrls.map(async (url) => {
            const response = await fetch(`${url}/health`);
            return ((await response.json()) as { health: string }).health === "true";
          }),
        );
        return answers.every(Boolean) ? true : undefined;
      });
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  pids(): number[] {
    return this.children.map((child) => child.pid ?? -1);
  }

  async destroy(): Promise<void> {
    await Promise.all(this.children.map((child) => stopChild(child, STOP_TIMEOUT_MS)));
    await rm(this.dir, { recursive: true, force: true });
  }

  killNow(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
  }
}
