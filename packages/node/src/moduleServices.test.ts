import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { LocalStore, type ModuleServices } from "@careledger/ledger";
import {
  CareLedgerError,
  generateSecretKey,
  keySigner,
  type SignedTx,
  type Signer,
  toHex,
} from "@careledger/protocol";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ledgerMempool } from "./ledgerMempool.js";
import type { Mempool } from "./mempool.js";
import { moduleServices } from "./moduleServices.js";
import { ledgerWith, notesModule, signedTx, type TestChainLedger } from "./modules.testkit.js";

let chain: TestChainLedger;
let local: LocalStore;
afterEach(async () => {
  await local.close();
  await chain.close();
});

const KEK = Uint8Array.from(randomBytes(32));

/** The services of the notes module on a node whose key is `signer`, admitting into a real mempool. */
async function servicesOn(nodeOf: (chain: TestChainLedger) => Signer) {
  const module = notesModule();
  chain = await ledgerWith(module);
  local = await LocalStore.open(join(chain.dir, "local"));
  const mempool: Mempool = ledgerMempool(
    chain.ledger,
    { mempoolTxsMax: 100, mempoolBytesMax: 1024 * 1024 },
    () => false,
  );
  const servicesFor = moduleServices({
    ledger: chain.ledger,
    local,
    keyEncryptionKey: KEK,
    signer: nodeOf(chain),
    admit: (bytes) => mempool.admit(bytes),
    settings: { [module.name]: { limit: 3 } },
    log: pino({ level: "silent" }),
  });
  const services: ModuleServices = servicesFor(module);
  // Made once per module: its routes and its worker share one set.
  expect(servicesFor(module)).toBe(services);
  return { services, mempool, module };
}

/** The code `action` fails with (a scoped read refuses synchronously, a submit asynchronously). */
async function codeOf(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
    return "resolved";
  } catch (error) {
    expect(error).toBeInstanceOf(CareLedgerError);
    return (error as CareLedgerError).code;
  }
}

describe("a module's services", () => {
  it("submit signs with the node key, admits through the mempool, and the orgNode rule passes it", async () => {
    const { services, mempool } = await servicesOn((c) => c.nodes[1] as Signer);
    expect(services.nodeKey).toBe(toHex((chain.nodes[1] as Signer).publicKey));
    const id = await services.submit("notes.write", { org: "org-1", text: "erased" });
    expect(mempool.has(id)).toBe(true);
    const signed = mempool.get(Buffer.from(id, "hex")) as SignedTx;
    expect(toHex(signed.tx.from)).toBe(services.nodeKey);
    const [receipt] = (await chain.commit([signed])).receipts;
    expect(receipt).toMatchObject({ status: "ok" });

    const committed = await services.committedTx(id);
    expect(committed).toMatchObject({
      height: 1,
      index: 0,
      time: chain.ledger.head.time,
      type: "notes.write",
      sender: services.nodeKey,
      payload: { org: "org-1", text: "erased" },
      receipt: { status: "ok" },
    });
    expect(toHex(committed?.id as Uint8Array)).toBe(id);
    expect(await services.committedTx("ab".repeat(32))).toBeNull();
    expect(await codeOf(() => services.committedTx("not-an-id"))).toBe("BAD_REQUEST");
  });

  it("surfaces admission's refusals as CareLedgerErrors and signs nothing it cannot send", async () => {
    const { services } = await servicesOn((c) => c.nodes[0] as Signer);
    // Another module's type, or none at all.
    expect(
      await codeOf(() => services.submit("identity.register", { key: new Uint8Array(32) })),
    ).toBe("TX_UNKNOWN_TYPE");
    expect(await codeOf(() => services.submit("notes.nothing", {}))).toBe("TX_UNKNOWN_TYPE");
    expect(await codeOf(() => services.submit("notes.write", { org: "org-0" }))).toBe(
      "TX_PAYLOAD_INVALID",
    );
    const id = await services.submit("notes.write", { org: "org-0", text: "twice" });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses at admission a node key no member organization lists (SENDER_UNKNOWN)", async () => {
    const stranger = keySigner(generateSecretKey());
    const { services } = await servicesOn(() => stranger);
    expect(await services.nodeOrg()).toBeNull();
    expect(await codeOf(() => services.submit("notes.write", { org: "org-0", text: "x" }))).toBe(
      "SENDER_UNKNOWN",
    );
  });

  it("reads the head within the module's namespace, with its indexes, and names the node's organization", async () => {
    const { services } = await servicesOn((c) => c.nodes[2] as Signer);
    expect(await services.nodeOrg()).toBe("org-2");
    const note = signedTx(
      chain.ledger,
      "notes.write",
      { org: "org-2", text: "n1" },
      chain.nodes[2] as Signer,
    );
    await chain.commit([note]);
    const head = services.head();
    expect([head.height, head.time]).toEqual([1, chain.ledger.head.time]);
    expect(await head.get("notes/org-2/n1")).toBe(1);
    expect(await head.scan("notes/", { limit: 10 })).toEqual([["notes/org-2/n1", 1]]);
    expect(await head.index("byText").get("n1")).toBe(1);
    // Outside its namespace (it `uses` no other module): refused, as for its queries.
    expect(await codeOf(() => head.get("identity/org/org-2"))).toBe("STATE_KEY_FORBIDDEN");
    expect(() => head.index("other")).toThrow(/no index other/);
  });

  it("lends the module its own section of the node config", async () => {
    const { services } = await servicesOn((c) => c.nodes[1] as Signer);
    expect(services.settings).toEqual({ limit: 3 });
  });

  it("lends the module its own LocalStore space and a copy of the key-encryption key", async () => {
    const { services } = await servicesOn((c) => c.nodes[0] as Signer);
    await services.local.put("record/1", Uint8Array.of(1, 2, 3));
    expect(await local.space("notes").get("record/1")).toEqual(Uint8Array.of(1, 2, 3));
    expect(await local.space("other").get("record/1")).toBeUndefined();
    expect(services.keyEncryptionKey).toEqual(KEK);
    services.keyEncryptionKey.fill(0);
    expect(KEK.some((byte) => byte !== 0)).toBe(true);
  });
});
