import { fromHex, generateSecretKey, keySigner, type Signer, toHex } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { expectAgreement, waitAllAtHeight } from "./harness/agreement.js";
import { signedTx, submit } from "./harness/clients.js";
import { Cluster, waitFor } from "./harness/cluster.js";
import { addValidator, commitTx, decideChange, STEP_MS_MAX } from "./harness/governance.js";
import { tearDownAfterEach } from "./harness/lifecycle.js";

const WAIT_MS_MAX = STEP_MS_MAX;
const PARAMS = { checkpointInterval: 10, window: 2 };

const held = tearDownAfterEach(6, 25);

async function restartAll(c: Cluster, indexes: number[]): Promise<void> {
  for (const i of indexes) await c.kill(i);
  for (const i of indexes) c.start(i);
}

describe("membership after governance and a restart of everyone", () => {
  it("a removed organization's node cannot connect and its keys cannot transact", async () => {
    const c = await Cluster.create(4, PARAMS);
    held.cluster = c;
    c.startAll();
    await waitAllAtHeight(c, [0, 1, 2, 3], 1, WAIT_MS_MAX);
    const follower = await c.addNode();
    const labAdmin = keySigner(generateSecretKey());
    const organization = {
      id: "lab-1",
      name: "Lab",
      kind: "lab",
      adminKeys: [toHex(labAdmin.publicKey)],
      nodeKeys: [follower.nodeKey],
    };
    await decideChange(c, { kind: "org.add", organization }, [0, 1, 2]);
    c.start(follower.index);
    const joined = (await c.status(0)).height;
    await c.waitForHeight(follower.index, joined, WAIT_MS_MAX);
    const chain = fromHex((await c.status(0)).chain, 32);
    const clinician = keySigner(generateSecretKey());
    const register = (by: Signer, key: Uint8Array, org: string) =>
      signedTx(by, chain, "identity.register", { key, org, roles: ["clinician"] }, joined + 500);
    const registered = await commitTx(c, 0, register(labAdmin, clinician.publicKey, "lab-1"));
    expect(registered.receipt).toMatchObject({ ok: true });
    await decideChange(c, { kind: "org.remove", org: "lab-1" }, [0, 1, 2, 3]);
    // Live connections of the removed member are hung up: each validator keeps only the other
    // three. (The follower's own count flickers: its redials open before the remote refuses.)
    const validatorsOnly = async () => {
      const peers = await Promise.all([0, 1, 2, 3].map(async (i) => (await c.status(i)).peers));
      return peers.every((count) => count === 3) ? true : undefined;
    };
    await waitFor("the follower hung up on", WAIT_MS_MAX, validatorsOnly);
    await restartAll(c, [0, 1, 2, 3, follower.index]);
    const cut = (await c.waitForHeight(follower.index, 0, WAIT_MS_MAX)).height;
    const top = (await c.waitForHeight(0, 0, WAIT_MS_MAX)).height + 3;
    await waitAllAtHeight(c, [0, 1, 2, 3], top, WAIT_MS_MAX);
    expect(await validatorsOnly()).toBe(true);
    expect((await c.status(follower.index)).height).toBe(cut);
    // The lab's registered identity signs nothing; its admin key administers no organization,
    // so neither is a sender any more: admission refuses both with their codes.
    const fresh = () => keySigner(generateSecretKey()).publicKey;
    const byClinician = await submit(c.url(0), register(clinician, fresh(), "org-0"));
    expect(byClinician).toMatchObject({ status: 403, body: { error: { code: "ORG_REMOVED" } } });
    const byAdmin = await submit(c.url(0), register(labAdmin, fresh(), "lab-1"));
    expect(byAdmin.body).toMatchObject({ error: { code: "SENDER_UNKNOWN" } });
  });

  it("a validator added by governance keeps voting after everyone restarts", async () => {
    const c = await Cluster.create(4, PARAMS);
    held.cluster = c;
    c.startAll();
    await waitAllAtHeight(c, [0, 1, 2, 3], 1, WAIT_MS_MAX);
    const added = await addValidator(c, PARAMS);
    const all = [0, 1, 2, 3, added.index];
    await restartAll(c, all);
    // Five validators need four votes: with one original down, only the added node's votes
    // let the other three commit, and after the restart its peers must still admit it.
    await c.kill(1);
    const live = [0, 2, 3, added.index];
    const top = (await c.waitForHeight(0, 0, WAIT_MS_MAX)).height + 3;
    await waitAllAtHeight(c, live, top, WAIT_MS_MAX);
    await expectAgreement(c, live, top);
  });
});
