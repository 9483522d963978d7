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
        /is not 32 bytes as 64 lowercase hex digits/,
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

  it("is created by init, which refuses a home that already has one", async () => {
    const home = await tempHome();
    await initHome(home, 26_656, 8_080);
    expect(await modeOf(join(home, KEK_FILE))).toBe(0o600);
    expect((await readKeyEncryptionKey(home)).byteLength).toBe(32);
    const other = await tempHome();
    await createKeyEncryptionKey(other);
    const before = await readFile(join(other, KEK_FILE), "utf8");
    await expect(initHome(other, 26_656, 8_080)).rejects.toThrow(/kek.key exists/);
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
