/**
 * What the claims and provenance examples need of a devnet directory (`pnpm devnet` writes
 * `.devnet/`): its genesis, and the admin key of an organization of a kind, from the node homes
 * (`node-<i>/admin.key`) or, for an organization without a node, `orgs/<id>/admin.key`.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CareLedgerClient,
  type Genesis,
  generateKeyPair,
  type IdentityRole,
  importSecretKeyHex,
  type KeyPair,
  keyPairFromSecretKey,
  keySigner,
  parseGenesis,
} from "@careledger/sdk";

export const WAIT = { timeoutMs: 30_000 };

export type Organization = Genesis["organizations"][number];

export interface Devnet {
  readonly url: string;
  readonly genesis: Genesis;
  /** A client signing as `who`. */
  as(who: KeyPair): CareLedgerClient;
  /** The first organization of `kind` whose admin key the directory holds, with that key. */
  admin(kind: Organization["kind"]): Promise<{ org: Organization; admin: KeyPair }>;
  /** A fresh key registered at `org` with `role`, by that organization's admin. */
  person(org: { org: Organization; admin: KeyPair }, role: IdentityRole): Promise<KeyPair>;
}

async function readKey(file: string): Promise<KeyPair | null> {
  const text = await readFile(file, "utf8").catch(() => null);
  return text === null ? null : keyPairFromSecretKey(importSecretKeyHex(text));
}

export async function openDevnet(url: string, dir: string): Promise<Devnet> {
  const genesis = parseGenesis(JSON.parse(await readFile(join(dir, "genesis.json"), "utf8")));
  const names = await readdir(dir);
  const homes = names.filter((name) => /^node-\d+$/.test(name)).map((home) => join(dir, home));
  const orgHomes = names.includes("orgs")
    ? (await readdir(join(dir, "orgs"))).map((id) => join(dir, "orgs", id))
    : [];
  const keys = (
    await Promise.all([...homes, ...orgHomes].map((home) => readKey(join(home, "admin.key"))))
  ).filter((key): key is KeyPair => key !== null);
  const as = (who: KeyPair) => new CareLedgerClient(url, { signer: keySigner(who.secretKey) });
  const devnet: Devnet = {
    url,
    genesis,
    as,
    async admin(kind) {
      for (const org of genesis.organizations.filter((one) => one.kind === kind)) {
        const admin = keys.find((key) => org.adminKeys.includes(key.accountId));
        if (admin !== undefined) return { org, admin };
      }
      throw new Error(`no admin key of a ${kind} under ${dir} (pnpm devnet writes one per kind)`);
    },
    async person({ org, admin }, role) {
      const who = generateKeyPair();
      const client = as(admin);
      const tx = (await client.txBuilder(keySigner(admin.secretKey))).build(
        "identity.register",
        { key: who.publicKey, org: org.id, roles: [role] },
        await client.expiresAfter(),
      );
      await client.submitAndWait(tx, WAIT);
      return who;
    },
  };
  return devnet;
}

let steps = 0;
/** Prints one numbered step of the story. */
export function step(text: string): void {
  steps += 1;
  console.log(`${String(steps).padStart(2)}. ${text}`);
}

/** Runs an example's story, printing an error and failing the process on any. */
export function run(story: () => Promise<void>): void {
  story().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
