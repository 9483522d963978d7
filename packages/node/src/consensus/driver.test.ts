import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Replica } from "@careledger/consensus";
import { Ledger } from "@careledger/ledger";
import { generateSecretKey, keySigner, type Signer } from "@careledger/protocol";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { testGenesis } from "../genesis.testkit.js";
import { Mempool } from "../mempool.js";
import { sodiumVerifier } from "../verifier.js";
import { ConsensusDriver } from "./driver.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A primary's driver over a real ledger and replica, as careLedgerNode wires them. */
async function primaryDriver() {
  const nodes = Array.from({ length: 4 }, () => keySigner(generateSecretKey()));
  const admins = Array.from({ length: 4 }, () => keySigner(generateSecretKey()));
  const dir = mkdtempSync(join(tmpdir(), "driver-"));
  dirs.push(dir);
  const genesis = testGenesis("driver-test", nodes, admins, 100);
  const ledger = await Ledger.open(dir, genesis, { verifier: sodiumVerifier });
  const config = await ledger.consensusConfig();
  const head = ledger.head;
  const replica = Replica.restore(
    {
      chainId: ledger.chainId,
      signer: nodes[0] as Signer,
      verifier: sodiumVerifier,
      params: config.params,
      genesisValidators: config.validators,
      genesisHash: head.hash,
    },
    { height: head.height, hash: head.hash, certificate: null },
    [],
    [],
  );
  const mempool = new Mempool(
    {
      chainId: ledger.chainId,
      nextHeight: () => ledger.head.height + 1,
      catchingUp: () => false,
      isCommitted: async () => false,
      checkPayload: () => undefined,
      checkSender: (signed) => ledger.checkSender(signed),
    },
    sodiumVerifier,
  );
  const halts: unknown[] = [];
  const broadcasts: Uint8Array[] = [];
  const driver = new ConsensusDriver({
    replica,
    ledger,
    mempool,
    nodeKey: (nodes[0] as Signer).publicKey,
    blockTxsMax: config.params.blockTxsMax,
    send: () => undefined,
    broadcast: (_channel, bytes) => broadcasts.push(bytes),
    requestSync: () => undefined,
    committed: () => undefined,
    viewChanged: () => undefined,
    halted: (error) => halts.push(error),
    behind: () => false,
    log: pino({ level: "silent" }),
  });
  return { ledger, driver, halts, broadcasts };
}

async function waitFor(condition: () => boolean, boundMs = 10_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((done) => setTimeout(done, 10));
  }
}

describe("ConsensusDriver", () => {
  it("proposes an empty block when the empty-block timer fires", async () => {
    const { ledger, driver, halts, broadcasts } = await primaryDriver();
    driver.enqueue({ type: "timer", name: "emptyBlock" });
    await waitFor(() => broadcasts.length > 0);
    await driver.idle();
    expect(halts).toEqual([]);
    driver.stop();
    await ledger.close();
  });

  it("reports a fatal error (here a disk that fails) once and stops handling events", async () => {
    const { ledger, driver, halts, broadcasts } = await primaryDriver();
    // The database goes away under the node: building the proposal cannot read the state.
    await ledger.close();
    driver.enqueue({ type: "timer", name: "emptyBlock" });
    await waitFor(() => halts.length > 0);
    driver.enqueue({ type: "timer", name: "emptyBlock" });
    await driver.idle();
    expect(halts).toHaveLength(1);
    expect(broadcasts).toEqual([]);
  });
});
