import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** What a browser lacks: Node's modules and globals. Test files and test kits may use them. */
const NODE_ONLY = [/from\s+["']node:/, /\bBuffer\b/, /\bprocess\./, /\brequire\(/, /__dirname/];

/** The part of esbuild's `build` the check uses: the caller passes its own esbuild. */
type Bundler = (options: {
  entryPoints: string[];
  bundle: true;
  platform: "browser";
  format: "esm";
  minify: true;
  conditions: string[];
  write: false;
  logLevel: "silent";
  metafile: true;
}) => Promise<{
  errors: unknown[];
  outputFiles?: Array<{ text: string }>;
  metafile?: { inputs: Record<string, unknown> };
}>;

export interface PortabilityOptions {
  /** The package's `src` directory (`import.meta.dirname` of its portability test). */
  readonly dir: string;
  /** What the package's manifest may list under `dependencies`, sorted. */
  readonly dependencies: readonly string[];
  /**
   * Sources for Node only, behind an export of their own (the SDK's `node-tls`): exempt from the
   * source scan, and the browser bundle of `index.ts` must not reach them.
   */
  readonly nodeOnlyFiles?: readonly string[];
  /** The minified browser bundle of `index.ts`, everything it imports included, stays under this. */
  readonly bundleBytesMax: number;
  readonly build: Bundler;
}

/**
 * The checks that keep a browser-safe package browser-safe (the SDK, the FHIR renderings): its
 * library sources use nothing Node-only, its manifest depends on nothing unexpected, and its
 * entry bundles for `platform: "browser"` (which fails on any Node built-in) under a bound.
 */
export function describeBrowserPortability(options: PortabilityOptions): void {
  const { dir } = options;
  const nodeOnly = new Set(options.nodeOnlyFiles ?? []);
  const libraryFiles = readdirSync(dir).filter(
    (name) =>
      name.endsWith(".ts") &&
      !name.endsWith(".test.ts") &&
      !name.endsWith(".testkit.ts") &&
      !nodeOnly.has(name),
  );
  describe("portability", () => {
    it("library sources use no Node-only module or global, so they run in browsers", () => {
      expect(libraryFiles.length).toBeGreaterThan(1);
      const offenders = libraryFiles.flatMap((name) => {
        // Comments may name what the code avoids ("without Buffer"); only code counts.
        const text = readFileSync(join(dir, name), "utf8")
          .replace(/\/\*[\s\S]*?\*\//g, "")
          .replace(/^\s*\/\/.*$/gm, "");
        return NODE_ONLY.filter((pattern) => pattern.test(text)).map((p) => `${name}: ${p}`);
      });
      expect(offenders).toEqual([]);
    });

    it("the package depends at run time on nothing but what it declares", () => {
      const manifest = JSON.parse(readFileSync(join(dir, "..", "package.json"), "utf8"));
      expect(Object.keys(manifest.dependencies).sort()).toEqual([...options.dependencies]);
    });

    it("bundles for browsers with everything it imports, protocol included, under its bound", async () => {
      const result = await options.build({
        entryPoints: [join(dir, "index.ts")],
        bundle: true,
        platform: "browser",
        format: "esm",
        minify: true,
        conditions: ["source"],
        write: false,
        logLevel: "silent",
        metafile: true,
      });
      expect(result.errors).toEqual([]);
      const inputs = Object.keys(result.metafile?.inputs ?? {});
      expect(inputs.length).toBeGreaterThan(0);
      expect(inputs.filter((input) => nodeOnly.has(input.split("/").at(-1) ?? ""))).toEqual([]);
      const bundle = result.outputFiles?.[0]?.text ?? "";
      expect(bundle).not.toMatch(/["']node:/);
      expect(bundle.length).toBeGreaterThan(0);
      expect(bundle.length).toBeLessThan(options.bundleBytesMax);
    });
  });
}
