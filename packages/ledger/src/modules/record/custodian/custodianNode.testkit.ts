/**
 * A custodian node for the custodian's tests: a real Ledger with the built-in modules, a real
 * LocalStore beside it, and ModuleServices over both as the node makes them
 * (node/src/moduleServices.ts: the same ledger reads), with a transaction pool the test commits
 * as blocks.
 */
import { randomBytes } from "node:crypto";
import {
  type Canonical,
  fromHex,
  type ModuleRoute,
  type ModuleRouteResponse,
  type RouteCaller,
  type SignedTx,
  type Signer,
  toHex,
} from "@careledger/protocol";
import { LocalStore } from "../../../local/localStore.js";
import { seededKey } from "../../../testing/fixtures.js";
import { Harness } from "../../../testing/harness.js";
import { nodeSigner } from "../../../testing/nodeCrypto.js";
import { tempDir } from "../../../testing/tempDir.js";
import type { CommittedTx, ModuleServices } from "../../module.js";

/** The origin a route request says the client addressed (the API sets it; no route here reads it). */
export const ORIGIN = "http://127.0.0.1:8080";

export interface Person {
  readonly signer: Signer;
  readonly key: string;
}

export class CustodianNode {
  readonly pool: SignedTx[] = [];
  readonly kek = randomBytes(32);
  private people = 0;
  readonly services: ModuleServices;

  private constructor(
    readonly harness: Harness,
    public local: LocalStore,
    readonly localDir: string,
    private readonly removeLocal: () => void,
  ) {
    const node = this;
    this.services = {
      head: () => this.ledger.reads.moduleReader("record"),
      // A getter: a reopened LocalStore is a new object, as after a node restart.
      get local() {
        return node.local.space("record");
      },
      keyEncryptionKey: this.kek,
      nodeKey: toHex(harness.org(0).node.publicKey),
      nodeOrg: async () =>
        (await this.ledger.reads.nodeOrganizations(this.services.nodeKey))[0] ?? null,
      submit: async (type, payload) => {
        const tx = this.harness.tx(type, payload, this.harness.org(0).node);
        this.pool.push(tx);
        return toHex(tx.id);
      },
      committedTx: (idHex) => this.ledger.reads.committedTx(fromHex(idHex, 32)),
      query: (name, params, caller) => this.ledger.reads.query(name, params, caller),
      settings: {},
      // The node's logger in a node; here the worker tests pass their own where they listen.
      log: { info: () => {}, warn: () => {}, error: () => {} },
    };
  }

  /** org-0's node. */
  static async create(label: string): Promise<CustodianNode> {
    const harness = await Harness.create(label);
    const { dir, remove } = tempDir(`${label}-local`);
    return new CustodianNode(harness, await LocalStore.open(dir), dir, remove);
  }

  get ledger() {
    return this.harness.ledger;
  }

  /** A new key registered at `org` with `roles`. */
  async person(org: string, roles: readonly string[]): Promise<Person> {
    const signer = nodeSigner(seededKey("custodian-person", ++this.people));
    const admin = this.harness.org(Number(org.slice(4))).admin;
    await this.commit([
      this.harness.tx(
        "identity.register",
        { key: signer.publicKey, org, roles: [...roles] },
        admin,
      ),
    ]);
    return { signer, key: toHex(signer.publicKey) };
  }

  /** The verified caller the api would hand a signed route for this key. */
  async caller(person: Person): Promise<RouteCaller> {
    const who = (await this.ledger.reads.trustedQuery("identity.key", { key: person.key })) as {
      identity: { org: string; roles: string[] } | null;
      adminOf: string[];
    };
    const identity =
      who.identity === null ? null : { org: who.identity.org, roles: who.identity.roles };
    return { key: person.key, identity, adminOf: who.adminOf };
  }

  /** The patient's consent for `org`'s people to access all its records for treatment; its id. */
  async consent(patient: Person, org: string): Promise<string> {
    const payload = {
      id: randomBytes(16).toString("hex"),
      patient: patient.signer.publicKey,
      grantee: { org },
      actions: ["access"],
      purposes: ["TREAT"],
      period: { start: this.ledger.head.time },
    };
    const { receipt } = await this.send("consent.grant", payload, patient.signer);
    if (receipt?.status !== "ok") throw new Error(`consent.grant: ${JSON.stringify(receipt)}`);
    return payload.id;
  }

  /**
   * Uploads `content` through `upload` (the upload route) as `by`, for version `version` of
   * record `id` (naming `patient`, and class `lab`, when given: version 1 must); its answer.
   */
  async upload(
    upload: ModuleRoute,
    by: Person,
    body: unknown,
    target: { id: string; version?: number; patient?: Person },
  ): Promise<ModuleRouteResponse> {
    const version = target.version ?? 1;
    const query: Record<string, string> = { record: target.id, version: String(version) };
    if (target.patient !== undefined) {
      query.patient = target.patient.key;
      query.class = "lab";
    }
    return upload.handler({
      params: {},
      query,
      body,
      caller: await this.caller(by),
      origin: ORIGIN,
      url: `/v1/m/record/content?${new URLSearchParams(query)}`,
      accept: null,
    });
  }

  /** Commits `txs` and then the pool, as one block, one `timeStepMs` after the head. */
  async commit(txs: readonly SignedTx[], timeStepMs = 1000) {
    const all = [...txs, ...this.pool.splice(0)];
    return this.harness.block(all, timeStepMs);
  }

  /** Sends one transaction in its own block and returns its id and receipt. */
  async send(type: string, payload: Canonical, by: Signer, timeStepMs = 1000) {
    const tx = this.harness.tx(type, payload, by);
    const [receipt] = await this.commit([tx], timeStepMs);
    return { id: toHex(tx.id), receipt };
  }

  /** The committed transactions of the record module's types at `height`, as a worker gets them. */
  async committedAt(height: number): Promise<CommittedTx[]> {
    const stored = await this.ledger.reads.block(height);
    if (stored === null) throw new Error(`no block ${height}`);
    const out: CommittedTx[] = [];
    for (const signed of stored.block.txs) {
      if (!signed.tx.type.startsWith("record.")) continue;
      const committed = await this.services.committedTx(toHex(signed.id));
      if (committed !== null) out.push(committed);
    }
    return out;
  }

  /** Closes the LocalStore and opens it again: what a node restart does to it. */
  async reopenLocal(): Promise<void> {
    await this.local.close();
    this.local = await LocalStore.open(this.localDir);
  }

  /** The node's home as a scan sees it: the ledger's directory and the LocalStore's. */
  get homeDirs(): readonly string[] {
    return [this.harness.dir, this.localDir];
  }

  async close(): Promise<void> {
    await this.local.close();
    await this.harness.close();
    this.removeLocal();
  }
}
