import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { faultReport, searchRun, sevenNodeRun } from "./chartFixtures.testkit.js";
import { latencySpec } from "./latencyChart.js";
import { renderSvg } from "./render.js";
import { marksOf, textsOf } from "./svgMarks.testkit.js";
import { timelineSpec } from "./timelineChart.js";
import { latencySeries, writeRunCharts } from "./writeCharts.js";

const EARLIER = "2026-11-22T01-30-00-000Z.json";

async function render(spec: Parameters<typeof renderSvg>[0]) {
  const warnings: string[] = [];
  const svg = await renderSvg(spec, (message) => warnings.push(message));
  expect(warnings).toEqual([]);
  return svg;
}

describe("latency chart", () => {
  it("draws p50 and p99 of every system's steps, with the steps that did not hold apart", async () => {
    const series = latencySeries(searchRun, [{ file: EARLIER, run: sevenNodeRun }]);
    const svg = await render(latencySpec(series, ["fixture"]));
    // One line per system and percentile: N = 4, etcd and N = 7 from the earlier run.
    expect(marksOf(svg, "line")).toHaveLength(6);
    const points = marksOf(svg, "symbol").flatMap((mark) => mark.items);
    expect(points).toHaveLength((4 + 3 + 2) * 2);
    expect(points).toContain(
      "offered rate (tx/s): 1150; commit latency (ms, log scale): 1623; system: CareLedger N = 4 (this run); percentile: p99; step: does not hold; rate: 1150; ms: 1623; holds: does not hold",
    );
    expect(points.filter((p) => p.includes("system: etcd, 4 members (this run)"))).toHaveLength(6);
    expect(points.filter((p) => p.endsWith("holds: does not hold"))).toHaveLength(4);
    const texts = textsOf(svg);
    for (const label of [
      "Commit latency against offered rate",
      "CareLedger N = 4 (this run)",
      "CareLedger N = 7 (run 2026-11-22 01-30)",
      "etcd, 4 members (this run)",
      "p99 limit of a step that holds (1 s)",
      "offered rate (tx/s)",
    ]) {
      expect(texts).toContain(label);
    }
  });
});

describe("fault timeline chart", () => {
  it("draws throughput and latency per second with the fault's instants marked", async () => {
    const svg = await render(timelineSpec(faultReport(), ["fixture"]));
    const [throughput, latency] = marksOf(svg, "symbol");
    expect(throughput?.items).toHaveLength(20);
    // Nothing commits in seconds 7 and 8 (the kill at 6 s); the backlog lands in second 9.
    expect(throughput?.items.filter((item) => item.includes("committed: 0;"))).toHaveLength(2);
    expect(throughput?.items.find((item) => item.includes("second: 9;"))).toContain(
      "committed: 392;",
    );
    expect(latency?.items).toHaveLength(40);
    expect(marksOf(svg, "line")).toHaveLength(3);
    const rules = marksOf(svg, "rule").flatMap((mark) => mark.items);
    // Each event is a rule in both panels, beside the offered-rate rule.
    expect(rules.filter((rule) => rule === "atS: 6; event: kill")).toHaveLength(2);
    expect(rules.filter((rule) => rule === "atS: 12; event: restart")).toHaveLength(2);
    const texts = textsOf(svg);
    for (const label of [
      "kill node-0 (6.0 s)",
      "view change: node-1 primary (9.1 s)",
      "restart node-0 (12.0 s)",
      "rejoined node-0 (14.5 s)",
      "committed tx/s",
      "back to 90% of the offered rate after 3 s; 0 lost, 0 not accepted of 2000 offered",
    ]) {
      expect(texts).toContain(label);
    }
  });
});

describe("writeRunCharts", () => {
  let dir = "";
  afterEach(async () => {
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("writes the latency chart of a search beside its JSON, with the latest run of other N", async () => {
    dir = await mkdtemp(join(tmpdir(), "bench-charts-"));
    await writeFile(join(dir, EARLIER), JSON.stringify(sevenNodeRun));
    await writeFile(join(dir, "2026-11-23T00-00-00-000Z.json"), "{ not json");
    const json = join(dir, "2026-12-01T10-00-00-000Z.json");
    await writeFile(json, JSON.stringify(searchRun));
    const paths = await writeRunCharts(json, searchRun, ["fixture"]);
    expect(paths).toEqual([join(dir, "2026-12-01T10-00-00-000Z-latency.svg")]);
    const svg = await readFile(paths[0] as string, "utf8");
    expect(textsOf(svg)).toContain("CareLedger N = 7 (run 2026-11-22 01-30)");
  });

  it("writes only the timeline for a fault run", async () => {
    dir = await mkdtemp(join(tmpdir(), "bench-charts-"));
    const json = join(dir, "2026-12-01T11-00-00-000Z.json");
    const run = { ...searchRun, etcdSteps: null, fault: faultReport() };
    await writeFile(json, JSON.stringify(run));
    await writeRunCharts(json, run, ["fixture"]);
    expect((await readdir(dir)).sort()).toEqual([
      "2026-12-01T11-00-00-000Z-timeline.svg",
      "2026-12-01T11-00-00-000Z.json",
    ]);
  });
});
