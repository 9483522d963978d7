import { access, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseMemberFile, publicKeyOf, toHex } from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MEMBER_FILE } from "../config.js";
import { readSecretKey } from "../keyCustody.js";
import { ADMIN_KEY_FILE, addNode, initHome } from "./init.js";

/** The cheapest scrypt the bounds allow: these tests are about the files, not the costs. */
const CUSTODY = {
  passphrase: "init test",
  warn: () => undefined,
  scrypt: { N: 2 ** 14, r: 8, p: 1 },
};
const NODE = { host: "10.1.0.1", p2pPort: 26_656, apiPort: 8_080 };
const ORG = {
  id: "riverside",
  name: "Riverside General",
  kind: "hospital",
  gln: "9520123000017",
} as const;

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "init-"));
  dirs.push(dir);
  return dir;
}

const memberIn = async (home: string) =>
  parseMemberFile(JSON.parse(await readFile(join(home, MEMBER_FILE), "utf8")));

describe("careledger init", () => {
  it("writes encrypted keys (0600) and a public member file with their public halves", async () => {
    const home = join(await tempDir(), "home");
    const member = await initHome(home, NODE, { ...ORG, gs1CompanyPrefixes: ["952012"] }, CUSTODY);
    expect(await memberIn(home)).toEqual(member);
    expect(member).toMatchObject({
      id: "riverside",
      gln: "9520123000017",
      gs1CompanyPrefixes: ["952012"],
    });
    const node = await readSecretKey(join(home, "node.key"), "node", CUSTODY);
    const admin = await readSecretKey(join(home, ADMIN_KEY_FILE), "admin", CUSTODY);
    expect(member.nodes).toEqual([
      { nodeKey: toHex(publicKeyOf(node)), address: "/ip4/10.1.0.1/tcp/26656" },
    ]);
    expect(member.adminKeys).toEqual([toHex(publicKeyOf(admin))]);
    const text = await readFile(join(home, MEMBER_FILE), "utf8");
    for (const secret of [node, admin]) expect(text).not.toContain(toHex(secret));
    for (const file of ["node.key", "kek.key", ADMIN_KEY_FILE]) {
      expect((await stat(join(home, file))).mode & 0o777, file).toBe(0o600);
    }
  });

  it("checks its input before writing anything", async () => {
    const home = join(await tempDir(), "home");
    await expect(initHome(home, NODE, { ...ORG, gln: "12" }, CUSTODY)).rejects.toMatchObject({
      code: "MEMBER_FILE_INVALID",
    });
    await expect(
      initHome(home, { ...NODE, p2pAnnounce: "/ip4/10.1.0.1/tcp/99999" }, ORG, CUSTODY),
    ).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(access(home)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("adds a second node to the member file; the admin key stays with the first", async () => {
    const dir = await tempDir();
    const first = join(dir, "first");
    const second = join(dir, "second");
    const before = await initHome(first, NODE, ORG, CUSTODY);
    const after = await addNode(
      second,
      join(first, MEMBER_FILE),
      { ...NODE, p2pPort: 26_666, apiPort: 8_090 },
      CUSTODY,
    );
    expect(after.nodes.slice(0, 1)).toEqual(before.nodes);
    expect(after.nodes[1]?.address).toBe("/ip4/10.1.0.1/tcp/26666");
    expect(await memberIn(first)).toEqual(after);
    expect(await memberIn(second)).toEqual(after);
    await expect(access(join(second, ADMIN_KEY_FILE))).rejects.toMatchObject({ code: "ENOENT" });
    await expect(addNode(second, join(first, MEMBER_FILE), NODE, CUSTODY)).rejects.toThrow(
      /exists: refusing to replace/,
    );
  });
});
