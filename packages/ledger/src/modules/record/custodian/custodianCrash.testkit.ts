/**
 * The child process of the custodian's crash test, killed with SIGKILL mid-way.
 * `upload <dir> <kek hex>`: stores contents without end, several at once, printing
 * `<index> <hash>` to stdout as each put resolves; the parent kills it at some point.
 * `erase <dir> <kek hex> <phase> <nth> <hash>...`: erases the versions in order and kills itself
 * when the nth erasure (from 1) reaches `phase` ("deleted" or "compacted").
 */
import { writeSync } from "node:fs";
import { LocalStore } from "../../../local/localStore.js";
import { TEST_BINDING } from "./contentKeys.testkit.js";
import { ContentStore } from "./contentStore.js";
import { crashContent } from "./crashContent.testkit.js";

/** Uploads in flight at once, so a kill lands in the middle of some of them. */
const UPLOADS_IN_FLIGHT = 4;

const die = () => process.kill(process.pid, "SIGKILL");

async function upload(dir: string, kek: Uint8Array): Promise<void> {
  const store = await LocalStore.open(dir);
  const content = new ContentStore(store.space("record"), kek);
  let next = 0;
  const loop = async () => {
    for (;;) {
      const index = next++;
      const hash = await content.put(crashContent(index), TEST_BINDING);
      // Synchronous: once printed, the parent may count on this version.
      writeSync(1, `${index} ${hash}\n`);
    }
  };
  await Promise.all(Array.from({ length: UPLOADS_IN_FLIGHT }, loop));
}

async function erase(dir: string, kek: Uint8Array, phase: string, nth: number, hashes: string[]) {
  let erasures = 0;
  const store = await LocalStore.open(dir, {
    onErasePhase: (reached) => {
      if (reached === "flushed") erasures += 1;
      if (reached === phase && erasures === nth) die();
    },
  });
  await new ContentStore(store.space("record"), kek).erase(hashes);
  throw new Error(`erasure ${nth} never reached ${phase}`);
}

async function main(): Promise<void> {
  const [mode, dir, kekHex, ...rest] = process.argv.slice(2);
  if (dir === undefined || kekHex === undefined) throw new Error("usage: see the header");
  const kek = Buffer.from(kekHex, "hex");
  if (mode === "upload") return upload(dir, kek);
  const [phase, nth, ...hashes] = rest;
  if (mode === "erase" && phase !== undefined && nth !== undefined) {
    return erase(dir, kek, phase, Number(nth), hashes);
  }
  throw new Error(`unknown mode ${mode}`);
}

await main();
