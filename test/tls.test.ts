import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { NodeConfig } from "@careledger/node";
import {
  CareLedgerClient,
  CareLedgerError,
  type ChainEvent,
  type ClientOptions,
  generateKeyPair,
  type Signer,
  toHex,
} from "@careledger/sdk";
import { type NodeTls, nodeTls } from "@careledger/sdk/node-tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestCa } from "./harness/certificates.js";
import { devnetAdmin } from "./harness/clients.js";
import { Cluster, waitFor } from "./harness/cluster.js";

const WAIT_MS_MAX = 90_000;
/** Node 0: HTTPS; node 1: HTTPS with client certificates required; node 2: optional; node 3: HTTP. */
const [SERVER_TLS, CLIENT_CERT_REQUIRED, CLIENT_CERT_OPTIONAL, PLAIN] = [0, 1, 2, 3] as const;

let cluster: Cluster;
let nodeCa: TestCa;
let memberCa: TestCa;
let strangerCa: TestCa;
const transports: NodeTls[] = [];

/** A fetch trusting `ca` and presenting `cert` (closed after the file). */
function transport(options: Parameters<typeof nodeTls>[0]): NodeTls {
  const made = nodeTls(options);
  transports.push(made);
  return made;
}

function httpsUrl(index: number): string {
  return cluster.url(index).replace(/^http:/, "https:");
}

function client(index: number, options: ClientOptions = {}): CareLedgerClient {
  // No retries: a refusal must show as what it is on the first attempt.
  return new CareLedgerClient(httpsUrl(index), { retries: 0, ...options });
}

/** Writes node `index`'s certificate files and its apiTls settings into its home. */
async function serveTls(index: number, clientCa: boolean, requireClientCert?: boolean) {
  const home = cluster.home(index);
  const issued = await nodeCa.server(`node-${index}`);
  await writeFile(join(home, "api.crt"), issued.cert);
  await writeFile(join(home, "api.key"), issued.key, { mode: 0o600 });
  if (clientCa) await writeFile(join(home, "members-ca.crt"), memberCa.cert);
  const file = join(home, "config.json");
  const config = JSON.parse(await readFile(file, "utf8")) as NodeConfig;
  const apiTls: NodeConfig["apiTls"] = {
    certFile: "api.crt",
    keyFile: "api.key",
    ...(clientCa && { clientCaFile: "members-ca.crt" }),
    ...(requireClientCert !== undefined && { requireClientCert }),
  };
  await writeFile(file, JSON.stringify({ ...config, apiTls }));
}

beforeAll(async () => {
  nodeCa = await TestCa.create("Consortium API CA");
  memberCa = await TestCa.create("Member applications CA");
  strangerCa = await TestCa.create("Stranger CA");
  cluster = await Cluster.create(4);
  await serveTls(SERVER_TLS, false);
  await serveTls(CLIENT_CERT_REQUIRED, true);
  await serveTls(CLIENT_CERT_OPTIONAL, true, false);
  cluster.startAll();
  const member = await memberCa.client("riverside-app");
  const trusted = [
    client(SERVER_TLS, { fetch: transport({ ca: nodeCa.cert }).fetch }),
    client(CLIENT_CERT_REQUIRED, { fetch: transport({ ca: nodeCa.cert, ...member }).fetch }),
    client(CLIENT_CERT_OPTIONAL, { fetch: transport({ ca: nodeCa.cert }).fetch }),
  ];
  await Promise.all([
    cluster.waitForHeight(PLAIN, 1, WAIT_MS_MAX),
    ...trusted.map((each, index) =>
      waitFor(`node-${index} at height 1 over TLS`, WAIT_MS_MAX, async () =>
        (await each.status()).height >= 1 ? true : undefined,
      ),
    ),
  ]);
}, 150_000);

afterAll(async () => {
  await Promise.all(transports.map((each) => each.close()));
  await cluster?.destroy();
});

/** The CareLedgerError `work` fails with. */
async function failure(work: Promise<unknown>): Promise<CareLedgerError> {
  const error = await work.then(
    () => new Error("expected a failure"),
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof CareLedgerError)) throw error;
  return error;
}

/** Registers a clinician of `org` (whose admin is `admin`) through `node`, and waits for it. */
async function registerThrough(node: CareLedgerClient, admin: Signer, org: string) {
  const builder = await node.txBuilder(admin);
  const tx = builder.build(
    "identity.register",
    { key: generateKeyPair().publicKey, org, roles: ["clinician"] },
    await node.expiresAfter(100),
  );
  return node.submitAndWait(tx, { timeoutMs: WAIT_MS_MAX });
}

describe("the API over TLS, with a certificate made in the test", () => {
  it("submits, reads and streams events through the SDK trusting the CA", async () => {
    const admin = await devnetAdmin(cluster.home(0));
    const tls = transport({ ca: nodeCa.cert });
    const node = client(SERVER_TLS, { fetch: tls.fetch, signer: admin, retries: 3 });
    const events: ChainEvent[] = [];
    const subscription = node.subscribe({}, (event) => events.push(event));
    const committed = await registerThrough(node, admin, "org-0");
    expect(committed.receipt.ok).toBe(true);
    const block = await node.getBlock(committed.height);
    expect(block.txIds.map((id) => toHex(id))).toContain(committed.id);
    expect((await node.getTx(committed.id)).status).toBe("committed");
    await waitFor("a block event over TLS", WAIT_MS_MAX, async () =>
      events.some((event) => event.event === "block") ? true : undefined,
    );
    subscription.close();
  });

  it("fails with reason tls, not retried, when the SDK does not trust the node's CA", async () => {
    for (const untrusted of [globalThis.fetch, transport({ ca: strangerCa.cert }).fetch]) {
      let attempts = 0;
      const fetch: typeof globalThis.fetch = (input, init) => {
        attempts += 1;
        return untrusted(input, init);
      };
      // The default retries (3) would retry a network failure.
      const node = new CareLedgerClient(httpsUrl(SERVER_TLS), { fetch });
      const refused = await failure(node.status());
      expect(refused.code).toBe("INTERNAL");
      expect(refused.details).toMatchObject({
        reason: "tls",
        tlsCode: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      });
      expect(attempts).toBe(1);
      // An event stream gives up at once too, where a network failure would reconnect.
      const subscription = node.subscribe({}, () => undefined);
      const ended = await failure(subscription.closed);
      expect(ended.details.reason).toBe("tls");
      expect(attempts).toBe(2);
    }
  });

  it("with client certificates required, refuses a client without one or with another CA's, and serves one the member CA issued", async () => {
    const stranger = await strangerCa.client("stranger-app");
    const cases = [
      [{ ca: nodeCa.cert }, "absent"],
      [{ ca: nodeCa.cert, ...stranger }, "untrusted"],
    ] as const;
    for (const [options, certificate] of cases) {
      const refused = await failure(
        client(CLIENT_CERT_REQUIRED, { fetch: transport(options).fetch }).status(),
      );
      expect(refused.code).toBe("CLIENT_CERT_REQUIRED");
      expect(refused.details).toMatchObject({ httpStatus: 401, certificate });
    }
    const admin = await devnetAdmin(cluster.home(1));
    const member = await memberCa.client("lakeview-app");
    const tls = transport({ ca: nodeCa.cert, ...member });
    const node = client(CLIENT_CERT_REQUIRED, { fetch: tls.fetch, signer: admin, retries: 3 });
    const committed = await registerThrough(node, admin, "org-1");
    expect(committed.receipt.ok).toBe(true);
  });

  it("with client certificates optional, serves a client without one or with the member CA's, and refuses another CA's", async () => {
    const anonymous = client(CLIENT_CERT_OPTIONAL, {
      fetch: transport({ ca: nodeCa.cert }).fetch,
    });
    expect((await anonymous.status()).height).toBeGreaterThanOrEqual(1);
    const member = await memberCa.client("parkside-app");
    const certified = client(CLIENT_CERT_OPTIONAL, {
      fetch: transport({ ca: nodeCa.cert, ...member }).fetch,
    });
    expect((await certified.status()).height).toBeGreaterThanOrEqual(1);
    const stranger = await strangerCa.client("stranger-app");
    const refused = await failure(
      client(CLIENT_CERT_OPTIONAL, {
        fetch: transport({ ca: nodeCa.cert, ...stranger }).fetch,
      }).status(),
    );
    expect(refused.code).toBe("CLIENT_CERT_REQUIRED");
    expect(refused.details).toMatchObject({ certificate: "untrusted" });
  });
});
