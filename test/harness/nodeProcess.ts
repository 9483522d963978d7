import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../..");
const CLI = join(REPO, "packages/node/src/cli/main.ts");

/** What a node is started with besides its home: a passphrase, `--joining`. */
export interface StartExtras {
  /** Arguments after `start --home HOME` (`--passphrase-file F`). */
  readonly args?: readonly string[];
  /** Variables added to the test's environment (CARELEDGER_PASSPHRASE). */
  readonly env?: Readonly<Record<string, string>>;
}

/** `careledger ARGS` as Node with tsx's loader runs it (see spawnNodeProcess). */
function spawnCli(
  args: readonly string[],
  options: {
    readonly nodeFlags?: readonly string[];
    readonly env?: StartExtras["env"];
    /** A command the node runs under (`ip netns exec NS`), which execs it: the pid stays its. */
    readonly launcher?: readonly string[];
  },
): ChildProcess {
  const [command, ...launcherArgs] = [...(options.launcher ?? []), process.execPath];
  return spawn(
    command as string,
    [
      ...launcherArgs,
      ...(options.nodeFlags ?? []),
      "--conditions=source",
      "--import",
      "tsx",
      CLI,
      ...args,
    ],
    { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } },
  );
}

/**
 * Runs one `careledger` command to its end (init, genesis, a start expected to fail) and
 * resolves with its exit status and output; kills it and fails after `timeoutMs`.
 */
export function runCli(
  args: readonly string[],
  timeoutMs: number,
  env?: StartExtras["env"],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, { env });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`careledger ${args.join(" ")}: no exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/**
 * Starts `careledger start --home HOME` as its own process, its output kept in `lines` (the last
 * `linesMax`). Node itself with tsx's loader, not the tsx CLI: that would run the node in a
 * grandchild which a SIGKILL of its parent leaves running. `nodeFlags` go to Node (a profiler).
 * `launcher` is a command that runs Node in its place (`ip netns exec NS`, which execs it: the
 * child is still the node's own process).
 */
export function spawnNodeProcess(
  home: string,
  lines: string[],
  options: {
    readonly nodeFlags?: readonly string[];
    readonly linesMax: number;
    readonly launcher?: readonly string[];
    readonly extras?: StartExtras;
  },
): ChildProcess {
  const child = spawnCli(["start", "--home", home, ...(options.extras?.args ?? [])], {
    ...(options.nodeFlags !== undefined && { nodeFlags: options.nodeFlags }),
    ...(options.extras?.env !== undefined && { env: options.extras.env }),
    ...(options.launcher !== undefined && { launcher: options.launcher }),
  });
  const keep = (chunk: Buffer) => {
    lines.push(
      ...chunk
        .toString()
        .split("\n")
        .filter((line) => line.length > 0),
    );
    if (lines.length > options.linesMax) lines.splice(0, lines.length - options.linesMax);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return child;
}
