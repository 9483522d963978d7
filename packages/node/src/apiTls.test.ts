import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { apiUrlOf, isLoopbackHost, readApiTls } from "./apiTls.js";
import { nodeHomeOf, writeDevnetLayout } from "./cli/devnetLayout.js";
import { CONFIG_FILE, DEFAULT_NODE_CONFIG, loadHome, type NodeConfig } from "./config.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "api-tls-"));
  dirs.push(dir);
  return dir;
}

const config = (extra: Partial<NodeConfig>): NodeConfig => ({
  ...DEFAULT_NODE_CONFIG,
  p2pPort: 26_656,
  apiPort: 8_080,
  peers: [],
  ...extra,
});

describe("the API's listen address", () => {
  it("is loopback for 127.0.0.0/8, ::1 and localhost, and not for any other", () => {
    for (const host of ["127.0.0.1", "127.3.2.1", "::1", "localhost"]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "127.example.org", "::ffff:1"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it("serves plain HTTP on 127.0.0.1 when the config names no apiHost, whatever the p2p host", async () => {
    const plain = config({ host: "10.1.2.3" });
    expect(await readApiTls(await tempDir(), plain)).toBeUndefined();
    expect(apiUrlOf(plain)).toBe("http://127.0.0.1:8080");
    expect(apiUrlOf(config({ apiHost: "::1" }))).toBe("http://[::1]:8080");
  });

  it("refuses a non-loopback apiHost without apiTls", async () => {
    const dir = await tempDir();
    for (const apiHost of ["0.0.0.0", "::", "192.168.7.2", "node.example.org"]) {
      await expect(readApiTls(dir, config({ apiHost }))).rejects.toThrow(
        `apiHost ${apiHost} is not a loopback address, so apiTls (certFile, keyFile) is required`,
      );
    }
  });

  it("refuses requireClientCert without a client CA, TLS files it cannot read, and files that are no certificate and key", async () => {
    const dir = await tempDir();
    const tls = { certFile: "api.crt", keyFile: "api.key" };
    await expect(
      readApiTls(dir, config({ apiTls: { ...tls, requireClientCert: true } })),
    ).rejects.toThrow("apiTls.requireClientCert needs apiTls.clientCaFile");
    await expect(readApiTls(dir, config({ apiTls: tls }))).rejects.toThrow(
      `apiTls.certFile ${join(dir, "api.crt")}: Error: ENOENT`,
    );
    await writeFile(join(dir, "api.crt"), "not a certificate\n");
    await writeFile(join(dir, "api.key"), "not a key\n");
    await expect(readApiTls(dir, config({ apiHost: "0.0.0.0", apiTls: tls }))).rejects.toThrow(
      "apiTls files do not form a TLS context",
    );
  });
});

describe("loadHome", () => {
  it("refuses a home whose API is exposed beyond loopback without TLS, naming its config file", async () => {
    const dir = await tempDir();
    await writeDevnetLayout({ nodes: 4, dir, apiPort: 18_080, p2pPort: 18_180 });
    const home = nodeHomeOf(dir, 0);
    const file = join(home, CONFIG_FILE);
    expect((await loadHome(home)).apiTls).toBeUndefined();
    const written = JSON.parse(await readFile(file, "utf8")) as NodeConfig;
    await writeFile(file, JSON.stringify({ ...written, apiHost: "0.0.0.0" }));
    await expect(loadHome(home)).rejects.toThrow(
      `${file}: apiHost 0.0.0.0 is not a loopback address`,
    );
  });
});
