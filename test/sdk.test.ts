import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CareLedgerClient,
  type ChainEvent,
  chainIdOf,
  generateKeyPair,
  genesisValidators,
  keySigner,
  parseGenesis,
  toHex,
} from "@careledger/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitAllAtHeight } from "./harness/agreement.js";
import { devnetAdmin } from "./harness/clients.js";
import { Cluster, waitFor } from "./harness/cluster.js";

const WAIT_MS_MAX = 90_000;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.create(4);
  cluster.startAll();
  await waitAllAtHeight(cluster, [0, 1, 2, 3], 1, WAIT_MS_MAX);
}, 150_000);

afterAll(async () => {
  await cluster.destroy();
});

async function trustAnchor() {
  const genesis = parseGenesis(
    JSON.parse(await readFile(join(cluster.home(0), "genesis.json"), "utf8")),
  );
  return { chainId: chainIdOf(genesis), validators: genesisValidators(genesis) };
}

describe("the SDK against a live 4-node devnet", () => {
  it("registers an identity, waits for commit, and proves the tx, its receipt and the state against certified headers", async () => {
    const admin = await devnetAdmin(cluster.home(0));
    // An operator's key signs the scoped reads: receipts, raw state, queries, the events.
    const client = new CareLedgerClient(cluster.url(1), { signer: admin });
    const clinician = generateKeyPair();
    const events: ChainEvent[] = [];
    const subscription = client.subscribe({ account: toHex(admin.publicKey) }, (event) =>
      events.push(event),
    );
    const builder = await client.txBuilder(admin);
    const tx = builder.build(
      "identity.register",
      { key: clinician.publicKey, org: "org-0", roles: ["clinician"] },
      await client.expiresAfter(100),
    );
    const committed = await client.submitAndWait(tx, { timeoutMs: WAIT_MS_MAX });
    expect(committed.receipt.ok).toBe(true);
    const trust = await trustAnchor();
    // Checked against the validators of genesis, with proofs served by another node.
    const other = new CareLedgerClient(cluster.url(2), { signer: admin });
    const included = await other.getVerifiedTxInclusion(committed.id, trust);
    expect(included.height).toBe(committed.height);
    const proven = await other.getVerifiedReceipt(committed.id, trust);
    expect([proven.height, proven.index, proven.receipt.status]).toEqual([
      committed.height,
      committed.index,
      "ok",
    ]);
    const state = await other.getVerifiedState(`identity/${clinician.accountId}`, trust);
    expect(state.value).toMatchObject({ org: "org-0", roles: ["clinician"] });
    const absent = await other.getVerifiedState(`identity/${generateKeyPair().accountId}`, trust);
    expect(absent.value).toBeNull();
    await waitFor("the tx event", WAIT_MS_MAX, async () =>
      events.some(
        (event) => event.event === "tx" && (event.data as { id: string }).id === committed.id,
      )
        ? true
        : undefined,
    );
    subscription.close();
    const who = (await client.query(
      "identity.key",
      { key: clinician.accountId },
      { signer: admin },
    )) as {
      identity: { org: string };
    };
    expect(who.identity.org).toBe("org-0");
  });

  it("reads raw block transactions with an operator key, and is refused with a staff or patient key", async () => {
    const admin = await devnetAdmin(cluster.home(1));
    const client = new CareLedgerClient(cluster.url(0), { signer: admin });
    const operator = generateKeyPair();
    const staff = generateKeyPair();
    const patient = generateKeyPair();
    const builder = await client.txBuilder(admin);
    const expires = await client.expiresAfter(100);
    const first = await client.submitAndWait(
      builder.build(
        "identity.register",
        { key: operator.publicKey, org: "org-1", roles: ["operator"] },
        expires,
      ),
      { timeoutMs: WAIT_MS_MAX },
    );
    await client.submitAndWait(
      builder.build(
        "identity.register",
        { key: staff.publicKey, org: "org-1", roles: ["staff"] },
        expires,
      ),
      { timeoutMs: WAIT_MS_MAX },
    );
    await client.submitAndWait(
      builder.build(
        "identity.register",
        { key: patient.publicKey, org: "org-1", roles: ["patient"] },
        expires,
      ),
      { timeoutMs: WAIT_MS_MAX },
    );
    const txs = await client.getBlockTxs(first.height, keySigner(operator.secretKey));
    expect(txs.map((signed) => toHex(signed.id))).toContain(first.id);
    for (const refused of [staff, patient]) {
      await expect(
        client.getBlockTxs(first.height, keySigner(refused.secretKey)),
      ).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    }
    await expect(
      client.getBlockTxs(first.height, keySigner(generateKeyPair().secretKey)),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
