import { describe, expect, it } from "vitest";
import { RateSearch, type SearchPlan, stepPasses } from "./search.js";

const PLAN: SearchPlan = {
  startRate: 500,
  growth: 2,
  bisections: 2,
  rateMax: 10_000,
  stepsMax: 20,
};

/** Runs a search against a system that holds every rate up to `limit`. */
function searchUpTo(limit: number, plan = PLAN): { tried: number[]; best: number | null } {
  const search = new RateSearch(plan);
  const tried: number[] = [];
  for (let rate = search.next(); rate !== null && tried.length < 50; rate = search.next()) {
    tried.push(rate);
    search.record(rate, rate <= limit);
  }
  return { tried, best: search.best() };
}

describe("RateSearch", () => {
  it("grows while steps hold, then bisects between the last hold and the first failure", () => {
    const { tried, best } = searchUpTo(1_400);
    expect(tried).toEqual([500, 1_000, 2_000, 1_500, 1_250]);
    expect(best).toBe(1_250);
  });

  it("steps down when even the first rate fails, then bisects", () => {
    const { tried, best } = searchUpTo(180);
    // Bisection stops once the rate step cannot split the gap (150 .. 200).
    expect(tried).toEqual([500, 250, 150, 200]);
    expect(best).toBe(150);
  });

  it("ends with no best rate when nothing holds, at the floor", () => {
    const { tried, best } = searchUpTo(0);
    expect(best).toBeNull();
    expect(tried.at(-1)).toBe(50);
  });

  it("stops after stepsMax steps", () => {
    const { tried, best } = searchUpTo(1_400, { ...PLAN, stepsMax: 2 });
    expect(tried).toEqual([500, 1_000]);
    expect(best).toBe(1_000);
  });

  it("never offers more than rateMax", () => {
    const { tried, best } = searchUpTo(1_000_000);
    expect(Math.max(...tried)).toBe(10_000);
    expect(best).toBe(10_000);
  });
});

describe("stepPasses", () => {
  const good = { rate: 1_000, tps: 990, p99Ms: 800, lost: 0, refused: 0 };

  it("holds when p99 is under a second, nothing is lost or refused, and the window kept up", () => {
    expect(stepPasses(good)).toBe(true);
  });

  it("fails on each condition alone", () => {
    expect(stepPasses({ ...good, p99Ms: 1_000 })).toBe(false);
    expect(stepPasses({ ...good, lost: 1 })).toBe(false);
    expect(stepPasses({ ...good, refused: 1 })).toBe(false);
    expect(stepPasses({ ...good, tps: 900 })).toBe(false);
  });
});
