/**
 * Renders a Vega-Lite spec to SVG in Node: Vega-Lite compiles it to Vega, and a headless Vega
 * View (renderer "none") writes the SVG itself, so no canvas or browser is needed. Warnings of
 * the compiler (a conflicting scale, a field that is not there) go to `warn`.
 */
import { logger, parse, View, Warn } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export async function renderSvg(
  spec: TopLevelSpec,
  warn: (message: string) => void = (message) => process.stderr.write(`chart: ${message}\n`),
): Promise<string> {
  const log = logger(Warn, "warn", (_method, _level, args) => warn(args.map(String).join(" ")));
  const view = new View(parse(compile(spec, { logger: log }).spec), {
    renderer: "none",
    logger: log,
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
