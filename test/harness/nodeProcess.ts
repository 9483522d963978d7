import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../..");
const CLI = join(REPO, "packages/node/src/cli/main.ts");

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
  },
): ChildProcess {
  const [command, ...launcherArgs] = [...(options.launcher ?? []), process.execPath];
  const child = spawn(
    command as string,
    [
      ...launcherArgs,
      ...(options.nodeFlags ?? []),
      "--conditions=source",
      "--import",
      "tsx",
      CLI,
      "start",
      "--home",
      home,
    ],
    { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] },
  );
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
