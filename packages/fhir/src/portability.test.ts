import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/** The renderings with what they import of the protocol, minified for browsers; measured at 167 KiB. */
const BROWSER_BUNDLE_BYTES_MAX = 256 * 1024;

/** What a browser lacks: Node's modules and globals. Test files and test kits may use them. */
const NODE_ONLY = [/from\s+["']node:/, /\bBuffer\b/, /\bprocess\./, /\brequire\(/, /__dirname/];

const here = import.meta.dirname;
const libraryFiles = readdirSync(here).filter(
  (name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".testkit.ts"),
);

describe("portability", () => {
  it("library sources use no Node-only module or global, so they run in browsers", () => {
    expect(libraryFiles.length).toBeGreaterThan(5);
    const offenders = libraryFiles.flatMap((name) => {
      // Comments may name what the code avoids; only code counts.
      const text = readFileSync(join(here, name), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      return NODE_ONLY.filter((pattern) => pattern.test(text)).map((p) => `${name}: ${p}`);
    });
    expect(offenders).toEqual([]);
  });

  it("depends at run time on the protocol only (@types/fhir is types, erased at build)", () => {
    const manifest = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      "@careledger/protocol",
      "@types/fhir",
    ]);
  });

  it("bundles for browsers, protocol included, under its size bound", async () => {
    const result = await build({
      entryPoints: [join(here, "index.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      minify: true,
      conditions: ["source"],
      write: false,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    const bundle = result.outputFiles[0]?.text ?? "";
    expect(bundle).not.toMatch(/["']node:/);
    expect(bundle.length).toBeGreaterThan(0);
    expect(bundle.length).toBeLessThan(BROWSER_BUNDLE_BYTES_MAX);
  });
});
