import { encodedNodeBytes, encodeNodeInto, type NodeWrites } from "../smt/node.js";
import type { Database } from "./database.js";
import { PREFIX } from "./layout.js";

type Batch = ReturnType<Database["batch"]>;

/**
 * Adds a block's tree node writes to its commit batch. Keys and values are views into one
 * buffer (the batch copies what it is given), so a block allocates one buffer, not two per node.
 */
export function putNodes(batch: Batch, writes: NodeWrites): void {
  let bytes = 0;
  for (const [path, node] of writes) {
    bytes += 1 + path.length + (node === null ? 0 : encodedNodeBytes(node));
  }
  const arena = new Uint8Array(bytes);
  let offset = 0;
  for (const [path, node] of writes) {
    const keyStart = offset;
    arena[offset++] = PREFIX.stateNode;
    for (let i = 0; i < path.length; i++) arena[offset++] = path.charCodeAt(i);
    const key = arena.subarray(keyStart, offset);
    if (node === null) {
      batch.del(key);
      continue;
    }
    const valueStart = offset;
    offset = encodeNodeInto(node, arena, offset);
    batch.put(key, arena.subarray(valueStart, offset));
  }
}
