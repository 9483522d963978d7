import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";

/** The console's three files, as the API serves them. */
export interface ConsoleFiles {
  readonly html: string;
  readonly script: string;
  readonly styles: string;
}

/** Served from src (tsx, `source` condition) or from dist (tsc's output). */
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const APP_DIR = join(import.meta.dirname, "app");

/** No inline script or style: the API's CSP allows only these two files. */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CareLedger console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/app.css">
<script type="module" src="/console/app.js"></script>
</head>
<body><div id="app"></div></body>
</html>
`;

/**
 * Bundles the app with the SDK and Preact, in memory, for browsers: nothing is fetched from a
 * CDN, and `platform: "browser"` fails on any Node built-in the SDK might pick up.
 */
export async function buildConsole(): Promise<ConsoleFiles> {
  const result = await build({
    entryPoints: [join(APP_DIR, FROM_SOURCE ? "main.tsx" : "main.js")],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    conditions: ["source"],
    jsx: "automatic",
    jsxImportSource: "preact",
    write: false,
    logLevel: "silent",
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error("esbuild produced no console bundle");
  // tsc does not copy the stylesheet: it is read from the sources in both cases.
  const styles = await readFile(
    join(import.meta.dirname, "..", "src", "app", "styles.css"),
    "utf8",
  );
  return { html: PAGE, script, styles };
}
