import { join } from "node:path";
import { LocalStore, type ModuleServices, type ModuleWorker } from "@careledger/ledger";
import type { SignedTx, Signer } from "@careledger/protocol";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { moduleServices } from "./moduleServices.js";
import { ledgerWith, notesModule, signedTx, type TestChainLedger } from "./modules.testkit.js";
import { ModuleWorkers } from "./moduleWorkers.js";

let chain: TestChainLedger;
let local: LocalStore;
afterEach(async () => {
  await local.close();
  await chain.close();
});

/** Polls `condition` every 5 ms, failing after `boundMs`: waits on the event, not a fixed time. */
async function waitFor(what: string, condition: () => boolean, boundMs = 5_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 5));
  }
}

/** A worker whose `committed` the test holds or fails at will, recording what it was told. */
class ScriptedWorker implements ModuleWorker {
  readonly calls: string[] = [];
  /** Heights whose next call fails once. */
  readonly failOnce = new Set<number>();
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;
  services: ModuleServices | null = null;

  hold(): void {
    this.gate = new Promise((done) => {
      this.open = done;
    });
  }

  release(): void {
    this.open?.();
    this.gate = null;
  }

  async start(): Promise<void> {
    this.calls.push("start");
  }

  async committed(height: number, txs: readonly { type: string; payload: unknown }[]) {
    const texts = txs.map((tx) => `${tx.type}:${(tx.payload as { text: string }).text}`);
    this.calls.push(`${height}[${texts.join(",")}]`);
    if (this.gate !== null) await this.gate;
    if (this.failOnce.delete(height)) throw new Error(`worker fails at ${height}`);
  }

  async stop(): Promise<void> {
    this.calls.push("stop");
  }
}

async function workersWith(worker: ScriptedWorker) {
  chain = await ledgerWith(
    notesModule((services) => {
      worker.services = services;
      return worker;
    }),
  );
  local = await LocalStore.open(join(chain.dir, "local"));
  const node = chain.nodes[0] as Signer;
  const servicesFor = moduleServices({
    ledger: chain.ledger,
    local,
    keyEncryptionKey: new Uint8Array(32),
    signer: node,
    admit: async () => {
      throw new Error("this test submits nothing");
    },
    settings: {},
    log: pino({ level: "silent" }),
  });
  const logged: Array<{ msg: string; height?: number; module?: string }> = [];
  const log = pino({ level: "error" }, { write: (line: string) => logged.push(JSON.parse(line)) });
  const workers = new ModuleWorkers(chain.ledger, servicesFor, log);
  /** Commits a block and tells the workers, as the node's commit path does. */
  const commit = async (txs: SignedTx[]) => {
    const { block, receipts } = await chain.commit(txs);
    workers.committed(block, receipts);
  };
  const note = (text: string) =>
    signedTx(chain.ledger, "notes.write", { org: "org-0", text }, node);
  return { workers, commit, note, logged };
}

describe("module workers", () => {
  it("are started, told of every block in height order with their own types only, then stopped", async () => {
    const worker = new ScriptedWorker();
    const { workers, commit, note } = await workersWith(worker);
    await workers.start();
    expect(worker.calls).toEqual(["start"]);
    expect(worker.services?.nodeKey).toMatch(/^[0-9a-f]{64}$/);
    const other = signedTx(
      chain.ledger,
      "identity.register",
      { key: new Uint8Array(32).fill(5), org: "org-0", roles: ["staff"] },
      chain.admins[0] as Signer,
    );
    await commit([note("a"), other, note("b")]);
    await commit([]);
    await waitFor("two blocks", () => worker.calls.length === 3);
    await workers.stop();
    expect(worker.calls).toEqual(["start", "1[notes.write:a,notes.write:b]", "2[]", "stop"]);
  });

  it("never hold up a commit: a slow worker catches up in order afterwards", async () => {
    const worker = new ScriptedWorker();
    const { workers, commit, note } = await workersWith(worker);
    await workers.start();
    worker.hold();
    await commit([note("first")]);
    await waitFor("the first call", () => worker.calls.length === 2);
    // The worker is still inside block 1: the chain commits on regardless.
    await commit([note("second")]);
    await commit([note("third")]);
    expect(chain.ledger.head.height).toBe(3);
    expect(worker.calls).toEqual(["start", "1[notes.write:first]"]);
    worker.release();
    await waitFor("blocks 2 and 3", () => worker.calls.length === 4);
    expect(worker.calls.slice(2)).toEqual(["2[notes.write:second]", "3[notes.write:third]"]);
    await workers.stop();
  });

  it("log a failure and try the same block again when the next one commits", async () => {
    const worker = new ScriptedWorker();
    const { workers, commit, note, logged } = await workersWith(worker);
    await workers.start();
    worker.failOnce.add(1);
    await commit([note("x")]);
    await waitFor("the failure logged", () => logged.length === 1);
    expect(logged[0]).toMatchObject({ module: "notes", height: 1 });
    expect(worker.calls).toEqual(["start", "1[notes.write:x]"]);
    await commit([note("y")]);
    await waitFor("the retry and the next block", () => worker.calls.length === 4);
    expect(worker.calls.slice(2)).toEqual(["1[notes.write:x]", "2[notes.write:y]"]);
    await workers.stop();
  });

  it("stop after the call in progress and are told of nothing after", async () => {
    const worker = new ScriptedWorker();
    const { workers, commit, note } = await workersWith(worker);
    await workers.start();
    worker.hold();
    await commit([note("in progress")]);
    await waitFor("the call", () => worker.calls.length === 2);
    await commit([note("queued")]);
    const stopped = workers.stop();
    worker.release();
    await stopped;
    await commit([note("after")]);
    expect(worker.calls).toEqual(["start", "1[notes.write:in progress]", "stop"]);
  });
});
