import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

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
      // Comments may name what the code avoids ("without Buffer"); only code counts.
      const text = readFileSync(join(here, name), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      return NODE_ONLY.filter((pattern) => pattern.test(text)).map((p) => `${name}: ${p}`);
    });
    expect(offenders).toEqual([]);
  });

  it("the package depends on nothing but the protocol and its schema types", () => {
    const manifest = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      "@careledger/protocol",
      "@sinclair/typebox",
    ]);
  });
});
