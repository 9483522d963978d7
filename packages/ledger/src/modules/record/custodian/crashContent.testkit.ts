import { createHash } from "node:crypto";

/** Bytes of the crash test's content number `index`: 8 KiB, distinct, the same in both processes. */
export function crashContent(index: number): Uint8Array {
  const seed = createHash("sha256").update(`crash-content-${index}`).digest();
  const out = new Uint8Array(8 * 1024);
  for (let at = 0; at < out.byteLength; at += seed.byteLength)
    out.set(seed.subarray(0, out.byteLength - at), at);
  return out;
}
