/**
 * Summarises a V8 `.cpuprofile` (written by `node --cpu-prof`) by where the time went. Each
 * sampled frame takes the category of its own code when that is recognisable, otherwise the
 * category of its nearest recognisable caller: a `Buffer.from` inside the encoder counts as
 * encoding, a `verify` inside OpenSSL's binding as verification.
 */

export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

export interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export const CATEGORIES = [
  "verify",
  "execute",
  "store",
  "encode+hash",
  "consensus",
  "network",
  "http",
  "log",
  "gc",
  "idle",
  "other",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** First match wins, so narrower rules come first. */
const RULES: ReadonlyArray<readonly [Category, RegExp]> = [
  ["verify", /node\/src\/verifier\.ts|node:internal\/crypto\/(sig|keys)|curves\/.*ed25519/],
  ["store", /classic-level|abstract-level|[/-]level\/|ledger\/src\/storage\//],
  ["execute", /packages\/ledger\/src\//],
  ["encode+hash", /packages\/protocol\/src\/|msgpackr|@noble\/hashes|node:internal\/crypto\/hash/],
  ["consensus", /packages\/consensus\/src\/|node\/src\/(consensus|mempool|sync)/],
  [
    "network",
    /libp2p|yamux|noise|uint8arraylist|it-length-prefixed|node\/src\/(p2p|gossip)|node:net|stream_base/,
  ],
  [
    "http",
    /fastify|find-my-way|avvio|light-my-request|packages\/api\/src\/|node:_http|node:internal\/http/,
  ],
  ["log", /pino|sonic-boom|thread-stream/],
];

/** The category a frame's own code belongs to, or null when only its callers can tell. */
export function frameCategory(frame: CallFrame): Category | null {
  if (frame.functionName === "(garbage collector)") return "gc";
  if (frame.functionName === "(idle)") return "idle";
  for (const [category, pattern] of RULES) if (pattern.test(frame.url)) return category;
  return null;
}

/**
 * Milliseconds of self time per node id, from samples and time deltas (or hit counts), counting
 * only samples taken `skipMs` or more after the profile started (to leave out startup).
 */
function selfTimeMs(profile: CpuProfile, skipMs: number): Map<number, number> {
  const times = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples !== undefined && timeDeltas !== undefined && samples.length === timeDeltas.length) {
    let atUs = 0;
    // timeDeltas[i] is the gap before sample i; timeDeltas[i + 1] how long sample i lasted.
    for (let i = 0; i < samples.length; i++) {
      atUs += timeDeltas[i] ?? 0;
      if (atUs < skipMs * 1000) continue;
      const id = samples[i] as number;
      const deltaUs = timeDeltas[i + 1] ?? 0;
      times.set(id, (times.get(id) ?? 0) + Math.max(0, deltaUs) / 1000);
    }
    return times;
  }
  const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  for (const node of profile.nodes) {
    if (hits > 0) times.set(node.id, ((node.hitCount ?? 0) / hits) * totalMs);
  }
  return times;
}

/** Each node's category: its own, else its nearest categorised ancestor's, else "other". */
function nodeCategories(profile: CpuProfile): Map<number, Category> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const resolved = new Map<number, Category>();
  const resolve = (id: number): Category => {
    const chain: number[] = [];
    let current: number | undefined = id;
    let found: Category = "other";
    // Bounded by the number of nodes: a profile's tree has no cycles, but input is untrusted.
    for (let step = 0; current !== undefined && step <= profile.nodes.length; step++) {
      const known = resolved.get(current);
      if (known !== undefined) {
        found = known;
        break;
      }
      const node = byId.get(current);
      const own = node === undefined ? null : frameCategory(node.callFrame);
      chain.push(current);
      if (own !== null) {
        found = own;
        break;
      }
      current = parent.get(current);
    }
    for (const seen of chain) if (!resolved.has(seen)) resolved.set(seen, found);
    return found;
  };
  for (const node of profile.nodes) resolve(node.id);
  return resolved;
}

export interface CategoryTime {
  readonly category: Category;
  readonly ms: number;
  /** Share of the busy (non-idle) time, 0 to 1. */
  readonly busyShare: number;
}

export function categorize(profile: CpuProfile, skipMs = 0): CategoryTime[] {
  const times = selfTimeMs(profile, skipMs);
  const categories = nodeCategories(profile);
  const totals = new Map<Category, number>(CATEGORIES.map((category) => [category, 0]));
  for (const [id, ms] of times) {
    const category = categories.get(id) ?? "other";
    totals.set(category, (totals.get(category) ?? 0) + ms);
  }
  const busy = [...totals].reduce((sum, [c, ms]) => (c === "idle" ? sum : sum + ms), 0);
  return CATEGORIES.map((category) => {
    const ms = totals.get(category) ?? 0;
    return { category, ms, busyShare: category === "idle" || busy === 0 ? 0 : ms / busy };
  });
}

export interface HotFunction {
  readonly name: string;
  readonly where: string;
  readonly category: Category;
  readonly ms: number;
}

/** The functions with the most self time, merged by name and place. */
export function hottestFunctions(profile: CpuProfile, count: number, skipMs = 0): HotFunction[] {
  const times = selfTimeMs(profile, skipMs);
  const categories = nodeCategories(profile);
  const merged = new Map<string, HotFunction>();
  for (const node of profile.nodes) {
    const ms = times.get(node.id) ?? 0;
    const frame = node.callFrame;
    const where = `${frame.url.replace(/^.*\/(packages|node_modules)\//, "$1/")}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName}@${where}`;
    const previous = merged.get(key);
    const category = categories.get(node.id) ?? "other";
    merged.set(key, {
      name: frame.functionName || "(anonymous)",
      where,
      category,
      ms: (previous?.ms ?? 0) + ms,
    });
  }
  return [...merged.values()].sort((a, b) => b.ms - a.ms).slice(0, count);
}
