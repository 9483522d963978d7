import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { nodeHomeOf, writeDevnetLayout } from "./cli/devnetLayout.js";
import { initHome } from "./cli/init.js";
import {
  createKeyEncryptionKey,
  ensureKeyEncryptionKey,
  KEK_FILE,
  readKeyEncryptionKey,
} from "./keyEncryptionKey.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempHome(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "kek-"));
  dirs.push(dir);
  return dir;
}

const NODE = { host: "127.0.0.1", p2pPort: 26_656, apiPort: 8_080 };
const ORG = { id: "river", name: "Riverside", kind: "hospital" } as const;
/** The cheapest scrypt the bounds allow: these tests are about the files, not the costs. */
const CUSTODY = {
  passphrase: "correct horse",
  warn: () => undefined,
  scrypt: { N: 2 ** 14, r: 8, p: 1 },
};

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe("the key-encryption key", () => {
  it("is 32 random bytes in hex, mode 0600, never replaced once written", async () => {
    const home = await tempHome();
    await createKeyEncryptionKey(home);
    const path = join(home, KEK_FILE);
    const text = await readFile(path, "utf8");
    expect(text).toMatch(/^[0-9a-f]{64}\n$/);
    expect(await modeOf(path)).toBe(0o600);
    const key = await readKeyEncryptionKey(home);
    expect(Buffer.from(key).toString("hex")).toBe(text.trim());
    await expect(createKeyEncryptionKey(home)).rejects.toThrow(/exists: refusing to replace/);
    expect(await ensureKeyEncryptionKey(home)).toBe(false);
    expect(await readFile(path, "utf8")).toBe(text);
    const other = await tempHome();
    await createKeyEncryptionKey(other);
    expect(await readFile(join(other, KEK_FILE), "utf8")).not.toBe(text);
  });

  it("refuses at start a missing, malformed or group- or world-readable key, saying how to fix it", async () => {
    const home = await tempHome();
    await expect(readKeyEncryptionKey(home)).rejects.toThrow(
      /kek.key is missing: create it with `careledger kek/,
    );
    const path = join(home, KEK_FILE);
    for (const bad of ["ab".repeat(31), "AB".repeat(32), `${"ab".repeat(32)}00`, "", "x"]) {
      await rm(path, { force: true });
      await writeFile(path, bad, { mode: 0o600 });
      await expect(readKeyEncryptionKey(home), JSON.stringify(bad)).rejects.toThrow(
        /is neither a key of 32 bytes as 64 lowercase hex digits nor an encrypted key file/,
      );
    }
    await writeFile(path, "cd".repeat(32));
    for (const mode of [0o640, 0o604, 0o660, 0o644]) {
      await chmod(path, mode);
      await expect(readKeyEncryptionKey(home)).rejects.toThrow(/must be the node's alone/);
    }
    await chmod(path, 0o400);
    expect(await readKeyEncryptionKey(home)).toEqual(new Uint8Array(32).fill(0xcd));
  });

  it("is created by init, encrypted, and init refuses a home that already has one", async () => {
    const home = await tempHome();
    await initHome(home, NODE, ORG, CUSTODY);
    expect(await modeOf(join(home, KEK_FILE))).toBe(0o600);
    expect(JSON.parse(await readFile(join(home, KEK_FILE), "utf8"))).toMatchObject({
      format: "careledger-key",
      purpose: "kek",
    });
    expect((await readKeyEncryptionKey(home, CUSTODY)).byteLength).toBe(32);
    await expect(readKeyEncryptionKey(home)).rejects.toMatchObject({
      code: "KEY_PASSPHRASE_MISSING",
    });
    const other = await tempHome();
    await createKeyEncryptionKey(other);
    const before = await readFile(join(other, KEK_FILE), "utf8");
    await expect(initHome(other, NODE, ORG, CUSTODY)).rejects.toThrow(/kek.key exists/);
    expect(await readFile(join(other, KEK_FILE), "utf8")).toBe(before);
  });

  it("is created for every devnet node, and for a layout written before it existed", async () => {
    const dir = await tempHome();
    await writeDevnetLayout({ nodes: 4, dir, apiPort: 8_080, p2pPort: 26_656 });
    const keys = await Promise.all(
      [0, 1, 2, 3].map((i) => readFile(join(nodeHomeOf(dir, i), KEK_FILE), "utf8")),
    );
    expect(new Set(keys).size).toBe(4);
    await rm(join(nodeHomeOf(dir, 2), KEK_FILE));
    await writeDevnetLayout({ nodes: 4, dir, apiPort: 8_080, p2pPort: 26_656 });
    expect(await readFile(join(nodeHomeOf(dir, 0), KEK_FILE), "utf8")).toBe(keys[0]);
    expect((await readKeyEncryptionKey(nodeHomeOf(dir, 2))).byteLength).toBe(32);
  });
});
