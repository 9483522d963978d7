import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { REPO } from "./nodeProcess.js";

const CLI = join(REPO, "packages/node/src/cli/main.ts");
/** Output lines kept, for failure messages. */
const LINES_MAX = 4_000;

/**
 * `careledger devnet ARGS` as its own process, the way `pnpm devnet` runs it (the supervisor and
 * its four node processes), with its output kept and watched line by line.
 */
export class DevnetProcess {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  /** `line` for every complete output line. */
  private readonly output = new EventEmitter();
  private partial = "";

  constructor(args: readonly string[]) {
    this.child = spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", CLI, "devnet", ...args],
      { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.exited = new Promise((done) => this.child.once("exit", () => done()));
    this.child.stdout?.on("data", (chunk: Buffer) => this.keep(chunk));
    this.child.stderr?.on("data", (chunk: Buffer) => this.keep(chunk));
  }

  /**
   * Resolves with the first output line (seen already or later) that starts with `prefix`;
   * rejects when the devnet exits first or after `timeoutMs`, with the last output.
   */
  waitForLine(prefix: string, timeoutMs: number): Promise<string> {
    const seen = this.lines.find((line) => line.startsWith(prefix));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const onLine = (line: string) => {
        if (!line.startsWith(prefix)) return;
        finish();
        resolve(line);
      };
      const onExit = () => {
        finish();
        reject(new Error(`the devnet exited before "${prefix}":\n${this.tail()}`));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no "${prefix}" within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.output.off("line", onLine);
        this.child.off("exit", onExit);
      };
      this.output.on("line", onLine);
      this.child.once("exit", onExit);
    });
  }

  /** Stops it as Ctrl-C would (the supervisor stops its nodes) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    await this.exited;
  }

  tail(lines = 40): string {
    return this.lines.slice(-lines).join("\n");
  }

  private keep(chunk: Buffer): void {
    const text = this.partial + chunk.toString();
    const complete = text.split("\n");
    this.partial = complete.pop() ?? "";
    for (const line of complete) {
      if (line.length === 0) continue;
      this.lines.push(line);
      this.output.emit("line", line);
    }
    if (this.lines.length > LINES_MAX) this.lines.splice(0, this.lines.length - LINES_MAX);
  }
}
