import { type ChildProcess, spawn } from "node:child_process";

/** How long children get to stop after SIGTERM before they are killed. */
export const CHILD_STOP_GRACE_MS = 10_000;
/** Wait before restarting a node that exited on its own; doubled on each quick failure. */
export const RESTART_DELAY_MS_MIN = 500;
export const RESTART_DELAY_MS_MAX = 30_000;
/** A node that ran this long before failing restarts after the shortest delay again. */
const RESTART_HEALTHY_RUN_MS = 60_000;

export interface SupervisedNode {
  readonly index: number;
  readonly home: string;
  process: ChildProcess;
}

/**
 * Runs each node as its own process (`careledger start --home ...`), the way operators and the
 * cluster tests do, prefixing its output with the node's index. A node that exits on its own (a
 * halted consensus exits non-zero) is restarted after a delay that doubles while it keeps failing
 * quickly. On SIGINT or SIGTERM it calls `onStop` (what else the devnet runs stops with the
 * nodes), stops them all and resolves.
 */
export function superviseNodes(
  homes: readonly string[],
  cliArgs: readonly string[],
  onStop: () => void = () => {},
): Promise<void> {
  let stopping = false;
  const nodes: SupervisedNode[] = homes.map((home, index) => {
    const node: SupervisedNode = { index, home, process: startChild(home, index, cliArgs) };
    keepRunning(node, cliArgs, () => stopping);
    return node;
  });
  return new Promise((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      onStop();
      const alive = nodes.filter((node) => node.process.exitCode === null);
      if (alive.length === 0) resolve();
      let left = alive.length;
      const force = setTimeout(() => {
        for (const node of alive) node.process.kill("SIGKILL");
      }, CHILD_STOP_GRACE_MS);
      for (const node of alive) {
        node.process.once("exit", () => {
          left -= 1;
          if (left === 0) {
            clearTimeout(force);
            resolve();
          }
        });
        node.process.kill("SIGTERM");
      }
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/** Restarts `node` whenever its process exits while the supervisor is not stopping. */
function keepRunning(node: SupervisedNode, cliArgs: readonly string[], stopping: () => boolean) {
  let delayMs = RESTART_DELAY_MS_MIN;
  const watch = (startedAt: number) => {
    node.process.once("exit", () => {
      if (stopping()) return;
      const ranMs = Date.now() - startedAt;
      delayMs = ranMs >= RESTART_HEALTHY_RUN_MS ? RESTART_DELAY_MS_MIN : delayMs;
      process.stdout.write(`[node-${node.index}] restarting in ${delayMs} ms\n`);
      setTimeout(() => {
        if (stopping()) return;
        node.process = startChild(node.home, node.index, cliArgs);
        watch(Date.now());
      }, delayMs);
      delayMs = Math.min(RESTART_DELAY_MS_MAX, delayMs * 2);
    });
  };
  watch(Date.now());
}

function startChild(home: string, index: number, cliArgs: readonly string[]): ChildProcess {
  // The same runtime flags (tsx's loader when run from source) and the same entry script.
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...cliArgs, "start", "--home", home],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const prefix = `[node-${index}] `;
  const forward = (target: NodeJS.WriteStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n"))
      if (line.length > 0) target.write(`${prefix}${line}\n`);
  };
  child.stdout?.on("data", forward(process.stdout));
  child.stderr?.on("data", forward(process.stderr));
  child.on("exit", (code, signal) => {
    process.stdout.write(`${prefix}exited (${signal ?? code})\n`);
  });
  return child;
}
