import { toHex } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { identityModule } from "../modules/identity/index.js";
import { membersIndex } from "../modules/identity/indexes.js";
import { BUILTIN_MODULES } from "../modules/registry.js";
import { seededKey } from "../testing/fixtures.js";
import { Harness } from "../testing/harness.js";
import { nodeSigner } from "../testing/nodeCrypto.js";
import { openDatabase } from "./database.js";
import { indexMarkerKey, PREFIX, prefixRange } from "./layout.js";

let h: Harness;
beforeEach(async () => {
  h = await Harness.create("indexes");
});
afterEach(async () => {
  await h.close();
});

const user = (index: number) => nodeSigner(seededKey("index-test", index));
const register = (index: number, org: number) =>
  h.tx(
    "identity.register",
    { key: user(index).publicKey, org: `org-${org}`, roles: ["staff"] },
    h.org(org).admin,
  );

/** Every page of an organization's members, 2 at a time, as key lists, read by its admin. */
async function membersOf(org: string): Promise<string[][]> {
  const index = Number(org.slice("org-".length));
  const admin = { key: toHex(h.org(index).admin.publicKey), identity: null, adminOf: [org] };
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const params: Record<string, string> = { org, limit: "2" };
    if (cursor !== null) params.cursor = cursor;
    const page = (await h.query("identity.members", params, admin)) as {
      items: Array<{ key: string }>;
      next: string | null;
    };
    pages.push(page.items.map((item) => item.key));
    cursor = page.next;
  } while (cursor !== null);
  return pages;
}

async function clearIndexes(dir: string): Promise<void> {
  const db = await openDatabase(dir);
  await db.clear(prefixRange(Uint8Array.of(PREFIX.index)));
  await db.del(indexMarkerKey("identity/members/"));
  await db.close();
}

describe("node-local indexes", () => {
  beforeEach(async () => {
    await h.block([register(1, 0), register(2, 0), register(3, 1)]);
    // A failed registration (an admin of another org) feeds no entry.
    await h.block([
      register(4, 0),
      h.tx(
        "identity.register",
        { key: user(5).publicKey, org: "org-0", roles: ["staff"] },
        h.org(2).admin,
      ),
    ]);
  });

  it("are written with the commit and read by the module's queries, page by page", async () => {
    const expected = [1, 2, 4].map((index) => toHex(user(index).publicKey)).sort();
    expect((await membersOf("org-0")).flat()).toEqual(expected);
    expect(await membersOf("org-1")).toEqual([[toHex(user(3).publicKey)]]);
    expect(await membersOf("org-3")).toEqual([[]]);
    // The organization's own staff may not list them (its admins and operators may).
    const staff = {
      key: toHex(user(3).publicKey),
      identity: { org: "org-1", roles: ["staff"] },
      adminOf: [],
    };
    await expect(h.query("identity.members", { org: "org-1" }, staff)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("are rebuilt from the stored blocks when deleted, with the same answers", async () => {
    const before = await membersOf("org-0");
    await h.ledger.close();
    await clearIndexes(h.dir);
    await h.reopen();
    expect(await membersOf("org-0")).toEqual(before);
    // The rebuilt index goes on being fed by new commits.
    await h.block([register(6, 0)]);
    expect((await membersOf("org-0")).flat()).toContain(toHex(user(6).publicKey));
  });

  it("are rebuilt when their definition's version changes", async () => {
    const before = await membersOf("org-0");
    let fed = 0;
    const counted = {
      ...membersIndex,
      version: membersIndex.version + 1,
      entries: (committed: Parameters<typeof membersIndex.entries>[0]) => {
        fed += 1;
        return membersIndex.entries(committed);
      },
    };
    const modules = BUILTIN_MODULES.map((module) =>
      module === identityModule ? { ...module, indexes: [counted] } : module,
    );
    await h.reopen({ modules });
    expect(fed).toBe(5);
    expect(await membersOf("org-0")).toEqual(before);
    // Opened again at that version, nothing is rebuilt.
    await h.reopen({ modules });
    expect(fed).toBe(5);
  });

  it("take out what a definition's removals name, in block order, and rebuild alike", async () => {
    // Members that a revoke takes off, and a key registered again after it comes back.
    const shrinking = {
      ...membersIndex,
      version: membersIndex.version + 1,
      feeds: ["identity.register", "identity.revoke"],
      entries: (committed: Parameters<typeof membersIndex.entries>[0]) =>
        committed.type === "identity.register" ? membersIndex.entries(committed) : [],
      removals: (committed: Parameters<typeof membersIndex.entries>[0]) => {
        if (committed.type !== "identity.revoke" || committed.receipt.status !== "ok") return [];
        return [`org-0/${toHex((committed.payload as { key: Uint8Array }).key)}`];
      },
    };
    const modules = BUILTIN_MODULES.map((module) =>
      module === identityModule ? { ...module, indexes: [shrinking] } : module,
    );
    await h.reopen({ modules });
    const revoke = h.tx("identity.revoke", { key: user(1).publicKey }, h.org(0).admin);
    // In one block: user 7 registered, user 1 revoked; then a revoke of a key never listed.
    await h.block([register(7, 0), revoke]);
    await h.block([h.tx("identity.revoke", { key: user(3).publicKey }, h.org(1).admin)]);
    const expected = [2, 4, 7].map((index) => toHex(user(index).publicKey)).sort();
    expect((await membersOf("org-0")).flat()).toEqual(expected);
    await h.ledger.close();
    await clearIndexes(h.dir);
    await h.reopen({ modules });
    expect((await membersOf("org-0")).flat()).toEqual(expected);
  });
});
