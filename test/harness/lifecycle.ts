import { afterEach } from "vitest";
import type { Cluster } from "./cluster.js";
import type { LoadGenerator } from "./load.js";

/** What one test holds that must be torn down after it, pass or fail. */
export interface TestCluster {
  cluster: Cluster | null;
  load: LoadGenerator | null;
}

/**
 * Registers the teardown every cluster test needs: stop the load, print each node's log tail if
 * the test failed (the only trace of a multi-process failure), destroy the cluster. Call once at
 * the top of a test file; the test stores what it starts in the returned holder.
 */
export function tearDownAfterEach(nodesShown: number, logLines = 30): TestCluster {
  const held: TestCluster = { cluster: null, load: null };
  afterEach(async (context) => {
    await held.load?.stop();
    held.load = null;
    const { cluster } = held;
    if (cluster !== null && context.task.result?.state === "fail") {
      for (let i = 0; i < nodesShown; i++) {
        console.error(`--- node-${i} log tail ---\n${cluster.logTail(i, logLines)}`);
      }
    }
    await cluster?.destroy();
    held.cluster = null;
  });
  return held;
}
