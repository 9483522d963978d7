import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSecretKey } from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { passphraseFrom, readSecretKey, writeSecretKey } from "./keyCustody.js";
import { assertScryptParams, type KeyFile, openKey, SCRYPT_DEFAULTS, sealKey } from "./keyFile.js";

/** The cheapest scrypt the bounds allow: these tests are about the format, not the cost. */
const CHEAP = { N: 2 ** 14, r: 8, p: 1 };
const PASS = "a passphrase only the operator knows";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "keyfile-"));
  dirs.push(dir);
  return dir;
}

/** A copy of `file` with one base64url character of `field` changed. */
function flip(file: KeyFile, field: "ciphertext" | "check"): KeyFile {
  const text = file[field];
  const last = text.at(-2) === "A" ? "B" : "A";
  return { ...file, [field]: `${text.slice(0, -2)}${last}${text.slice(-1)}` };
}

describe("encrypted key files", () => {
  it("round-trips a key, and never writes the secret or the same bytes twice", async () => {
    const secret = generateSecretKey();
    const sealed = await sealKey(secret, "node", PASS, CHEAP);
    expect(sealed).toMatchObject({ format: "careledger-key", version: 1, purpose: "node" });
    expect(sealed.kdf).toMatchObject({ name: "scrypt", ...CHEAP });
    expect(JSON.stringify(sealed)).not.toContain(Buffer.from(secret).toString("hex"));
    expect(JSON.stringify(sealed)).not.toContain(Buffer.from(secret).toString("base64url"));
    expect(await openKey(sealed, "node", PASS)).toEqual(secret);
    const again = await sealKey(secret, "node", PASS, CHEAP);
    expect(again.kdf.salt).not.toBe(sealed.kdf.salt);
    expect(again.ciphertext).not.toBe(sealed.ciphertext);
  });

  it("tells a wrong passphrase from a tampered file", async () => {
    const sealed = await sealKey(generateSecretKey(), "admin", PASS, CHEAP);
    await expect(openKey(sealed, "admin", `${PASS}!`)).rejects.toMatchObject({
      code: "KEY_PASSPHRASE_WRONG",
    });
    await expect(openKey(flip(sealed, "ciphertext"), "admin", PASS)).rejects.toMatchObject({
      code: "KEY_FILE_TAMPERED",
    });
    // The header is associated data: a changed nonce or purpose does not pass either.
    const nonce = { ...sealed, cipher: { ...sealed.cipher, nonce: "AAAAAAAAAAAAAAAA" } };
    await expect(openKey(nonce, "admin", PASS)).rejects.toMatchObject({
      code: "KEY_FILE_TAMPERED",
    });
    await expect(openKey(sealed, "node", PASS)).rejects.toMatchObject({
      code: "KEY_FILE_INVALID",
      message: "holds the admin key, not the node key",
    });
    await expect(openKey({ ...sealed, purpose: "node" }, "node", PASS)).rejects.toMatchObject({
      code: "KEY_FILE_TAMPERED",
    });
  });

  it("refuses scrypt parameters outside the bounds, before deriving anything", async () => {
    for (const params of [
      { N: 2 ** 13, r: 8, p: 1 },
      { N: 2 ** 21, r: 8, p: 1 },
      { N: 3 * 2 ** 14, r: 8, p: 1 },
      { N: 2 ** 14, r: 0, p: 1 },
      { N: 2 ** 14, r: 33, p: 1 },
      { N: 2 ** 14, r: 8, p: 17 },
      { N: 2 ** 14, r: 8, p: 8 },
    ]) {
      expect(() => assertScryptParams(params), JSON.stringify(params)).toThrow(
        expect.objectContaining({ code: "KEY_FILE_PARAMS" }),
      );
    }
    expect(() => assertScryptParams(SCRYPT_DEFAULTS)).not.toThrow();
    expect(() => assertScryptParams({ N: 2 ** 20, r: 8, p: 4 })).not.toThrow();
    const sealed = await sealKey(generateSecretKey(), "kek", PASS, CHEAP);
    // A file asking for 2^30 would take the node's memory: refused as written.
    const greedy = { ...sealed, kdf: { ...sealed.kdf, N: 2 ** 30 } };
    await expect(openKey(greedy, "kek", PASS)).rejects.toMatchObject({ code: "KEY_FILE_PARAMS" });
    await expect(
      sealKey(generateSecretKey(), "kek", PASS, { N: 1024, r: 8, p: 1 }),
    ).rejects.toMatchObject({ code: "KEY_FILE_PARAMS" });
  });

  it("refuses what is not a version-1 key file", async () => {
    const sealed = await sealKey(generateSecretKey(), "node", PASS, CHEAP);
    for (const bad of [
      { ...sealed, version: 2 },
      { ...sealed, format: "other" },
      { ...sealed, extra: 1 },
      { ...sealed, kdf: { ...sealed.kdf, name: "pbkdf2" } },
      { ...sealed, check: "short" },
      null,
      [],
    ]) {
      await expect(openKey(bad, "node", PASS), JSON.stringify(bad)).rejects.toMatchObject({
        code: "KEY_FILE_INVALID",
      });
    }
  });
});

describe("key files on disk", () => {
  it("writes encrypted with a passphrase, reads back, and names the file in errors", async () => {
    const dir = await tempDir();
    const path = join(dir, "node.key");
    const secret = generateSecretKey();
    const warnings: string[] = [];
    const custody = {
      passphrase: PASS,
      warn: (line: string) => warnings.push(line),
      scrypt: CHEAP,
    };
    await writeSecretKey(path, "node", secret, custody);
    expect(await readSecretKey(path, "node", custody)).toEqual(secret);
    expect(warnings).toEqual([]);
    await expect(writeSecretKey(path, "node", secret, custody)).rejects.toThrow(
      /exists: refusing to replace a key/,
    );
    await expect(
      readSecretKey(path, "node", { ...custody, passphrase: null }),
    ).rejects.toMatchObject({
      code: "KEY_PASSPHRASE_MISSING",
      message: expect.stringContaining(path),
    });
    await expect(
      readSecretKey(path, "node", { ...custody, passphrase: "no" }),
    ).rejects.toMatchObject({
      code: "KEY_PASSPHRASE_WRONG",
      message: expect.stringContaining(path),
    });
    await writeFile(path, "{ not json");
    await expect(readSecretKey(path, "node", custody)).rejects.toMatchObject({
      code: "KEY_FILE_INVALID",
    });
  });

  it("loads a plain hex key (a devnet's) with a warning", async () => {
    const dir = await tempDir();
    const path = join(dir, "admin.key");
    const secret = generateSecretKey();
    const warnings: string[] = [];
    const custody = { passphrase: null, warn: (line: string) => warnings.push(line) };
    await writeSecretKey(path, "admin", secret, custody);
    expect(await readFile(path, "utf8")).toBe(`${Buffer.from(secret).toString("hex")}\n`);
    expect(await readSecretKey(path, "admin", custody)).toEqual(secret);
    expect(warnings).toEqual([`${path} is not encrypted: anyone who reads it holds the admin key`]);
  });

  it("takes the passphrase from a file before the environment, and refuses an empty one", async () => {
    const dir = await tempDir();
    const file = join(dir, "passphrase");
    await writeFile(file, "from the file\n");
    const env = { CARELEDGER_PASSPHRASE: "from the environment" };
    expect(await passphraseFrom(file, env)).toBe("from the file");
    expect(await passphraseFrom(undefined, env)).toBe("from the environment");
    expect(await passphraseFrom(undefined, {})).toBeNull();
    expect(await passphraseFrom(undefined, { CARELEDGER_PASSPHRASE: "" })).toBeNull();
    await writeFile(file, "\n");
    await expect(passphraseFrom(file, env)).rejects.toMatchObject({
      code: "KEY_PASSPHRASE_MISSING",
    });
  });
});
