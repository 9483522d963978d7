import { describe, expect, it } from "vitest";
import { waitAllAtHeight } from "./harness/agreement.js";
import { Cluster, waitFor } from "./harness/cluster.js";
import { tearDownAfterEach } from "./harness/lifecycle.js";
import { LoadGenerator } from "./harness/load.js";

const ALL = [0, 1, 2, 3];
const START_MS_MAX = 90_000;
/** Heights the others commit while a replica is down, so it has a real catch-up to do. */
const DOWN_HEIGHTS = 30;
/** From restart until the replica's vote is in a certificate again: catch-up included. */
const VOTES_BACK_MS_MAX = 60_000;
/** Survivors commit this many heights after a kill within PROGRESS_MS_MAX (a view change fits). */
const PROGRESS_HEIGHTS = 3;
const PROGRESS_MS_MAX = 30_000;
/** Latest certificates looked at for the restarted replica's vote. */
const CERTIFICATES_SCANNED = 10;

const held = tearDownAfterEach(ALL.length);

/** Validator indexes whose COMMIT votes make up the certificate node `index` stores at `height`. */
async function signers(c: Cluster, index: number, height: number): Promise<number[]> {
  const response = await fetch(`${c.url(index)}/v1/blocks/${height}`);
  if (!response.ok) throw new Error(`block ${height}: ${response.status}`);
  const body = (await response.json()) as { certificate: { votes: { validator: number }[] } };
  return body.certificate.votes.map((vote) => vote.validator);
}

describe("a validator killed and restarted under load", () => {
  it("each in turn votes again within seconds, and the next kill never stalls commits", async () => {
    const c = await Cluster.create(4);
    held.cluster = c;
    c.startAll();
    await waitAllAtHeight(c, ALL, 1, START_MS_MAX);
    const status = await c.status(0);
    const keys = await Promise.all(ALL.map(async (i) => (await c.status(i)).node));
    const down = new Set<number>();
    const load = await LoadGenerator.start(c, {
      ratePerSecond: 100,
      batch: 20,
      nodes: () => ALL.filter((i) => !down.has(i)),
    });
    held.load = load;
    const left = [...ALL];
    while (left.length > 0) {
      // A backup first while there is one: its kill must cost no view change at all.
      const now = await c.status(ALL.find((i) => !left.includes(i)) ?? 0);
      const victim = left.find((i) => keys[i] !== now.primary) ?? (left[0] as number);
      left.splice(left.indexOf(victim), 1);
      const witness = ALL.find((i) => i !== victim) as number;
      const before = await c.status(witness);
      const wasPrimary = before.primary === keys[victim];
      down.add(victim);
      await c.kill(victim);
      // Without the last restarted replica's vote the three survivors have no quorum: commits
      // that go on prove it votes again. Only the primary's death may cost a view change.
      const progressed = await c.waitForHeight(
        witness,
        before.height + DOWN_HEIGHTS,
        PROGRESS_MS_MAX + DOWN_HEIGHTS * 1_000,
      );
      if (!wasPrimary)
        expect(progressed.view, `views after killing node-${victim}`).toBe(before.view);
      c.start(victim);
      down.delete(victim);
      const restartedAt = Date.now();
      // Certificates of heights the others commit from now on: none was made before the kill.
      const restartHeight = (await c.status(witness)).height;
      const index = status.validators.indexOf(keys[victim] as string);
      // A replica counts its own vote as soon as it casts it; the others keep the first quorum
      // they hear. Either node's certificate naming it proves it voted.
      const back = await waitFor(
        `node-${victim}'s vote in a certificate`,
        VOTES_BACK_MS_MAX,
        async () => {
          for (const node of [victim, witness]) {
            const top = (await c.status(node)).height;
            for (let height = top; height > Math.max(0, top - CERTIFICATES_SCANNED); height--) {
              if (height > restartHeight && (await signers(c, node, height)).includes(index))
                return height;
            }
          }
          return undefined;
        },
      );
      console.info(
        `node-${victim}: vote back at height ${back}, ${Date.now() - restartedAt} ms after restart`,
      );
      await c.waitForHeight(victim, back, PROGRESS_MS_MAX);
      const after = await c.waitForHeight(witness, back + PROGRESS_HEIGHTS, PROGRESS_MS_MAX);
      expect(after.height).toBeGreaterThan(back);
    }
  }, 900_000);
});
