import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { REPO, stopChild } from "./cluster.js";
import type { FromLoadgen, StepResult, ToLoadgen } from "./messages.js";
import type { PreloadReport, StateSize } from "./preload.js";

/** Longest one step may take, signing and drain included, before the run is abandoned. */
const STEP_TIMEOUT_MS = 10 * 60_000;
const INIT_TIMEOUT_MS = 60_000;
/** Longest the preload may take (the full size takes tens of minutes). */
const PRELOAD_TIMEOUT_MS = 2 * 60 * 60_000;
const STOP_TIMEOUT_MS = 5_000;

export interface LoadgenHooks {
  readonly onProgress: (text: string) => void;
  readonly onWindow: (edge: "start" | "end") => void;
}

/** The parent's handle on the load-generator process. */
export class Loadgen {
  private waiter: { done: (m: FromLoadgen) => void; fail: (e: Error) => void } | null = null;

  private constructor(
    private readonly child: ChildProcess,
    private readonly hooks: LoadgenHooks,
  ) {
    child.on("message", (message: FromLoadgen) => this.receive(message));
    child.on("exit", (code, signal) => {
      this.waiter?.fail(new Error(`load generator exited (${code ?? signal})`));
      this.waiter = null;
    });
  }

  static start(hooks: LoadgenHooks): Loadgen {
    const child = fork(join(REPO, "bench/src/loadgen.ts"), [], {
      cwd: REPO,
      execArgv: ["--conditions=source", "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new Loadgen(child, hooks);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private receive(message: FromLoadgen): void {
    if (message.kind === "progress") {
      this.hooks.onProgress(message.text);
      return;
    }
    if (message.kind === "window") {
      this.hooks.onWindow(message.edge);
      return;
    }
    const waiter = this.waiter;
    this.waiter = null;
    if (message.kind === "error") waiter?.fail(new Error(`load generator: ${message.message}`));
    else waiter?.done(message);
  }

  private request(message: ToLoadgen, timeoutMs: number): Promise<FromLoadgen> {
    if (this.waiter !== null) throw new Error("one request at a time");
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        fail(new Error(`load generator gave no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        done: (m) => {
          clearTimeout(timer);
          done(m);
        },
        fail: (e) => {
          clearTimeout(timer);
          fail(e);
        },
      };
      this.child.send(message);
    });
  }

  async init(message: Extract<ToLoadgen, { kind: "init" }>): Promise<number> {
    const answer = await this.request(message, INIT_TIMEOUT_MS);
    if (answer.kind !== "ready") throw new Error(`unexpected answer ${answer.kind}`);
    return answer.registerBytes;
  }

  async preload(state: StateSize): Promise<PreloadReport> {
    const answer = await this.request({ kind: "preload", state }, PRELOAD_TIMEOUT_MS);
    if (answer.kind !== "preloaded") throw new Error(`unexpected answer ${answer.kind}`);
    return answer.report;
  }

  async step(message: Extract<ToLoadgen, { kind: "step" | "etcdStep" }>): Promise<StepResult> {
    const answer = await this.request(message, STEP_TIMEOUT_MS);
    if (answer.kind !== "result") throw new Error(`unexpected answer ${answer.kind}`);
    return answer.result;
  }

  async stop(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await stopChild(this.child, STOP_TIMEOUT_MS);
  }

  killNow(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}
