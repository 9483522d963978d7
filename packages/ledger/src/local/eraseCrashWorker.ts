/**
 * The child process of the erasure crash test: writes filler and a secret, then erases the
 * secret and kills itself with SIGKILL at the phase given ("deleted", "compacted"), or once the
 * erasure has resolved ("done"), without closing the store.
 * Arguments: <store directory> <phase> <secret value as hex>.
 */
import { randomBytes } from "node:crypto";
import { LocalStore } from "./localStore.js";

const FILLER_ENTRIES = 6_000;

async function main(): Promise<void> {
  const [dir, phase, secretHex] = process.argv.slice(2);
  if (dir === undefined || phase === undefined || secretHex === undefined) {
    throw new Error("usage: eraseCrashWorker <dir> <phase> <secret hex>");
  }
  const die = () => process.kill(process.pid, "SIGKILL");
  let store = await LocalStore.open(dir);
  const filler = store.space("telemetry");
  await Promise.all(
    Array.from({ length: FILLER_ENTRIES }, (_, index) =>
      filler.put(`reading/${index}`, randomBytes(1_000), { sync: false }),
    ),
  );
  // Reopened, the filler is in table files and the secret alone in the log: the hard case.
  await store.close();
  store = await LocalStore.open(dir, {
    onErasePhase: (reached) => {
      if (reached === phase) die();
    },
  });
  const records = store.space("records");
  await records.put("patient-7/key", Buffer.from(secretHex, "hex"));
  await records.erase("patient-7/key");
  if (phase === "done") die();
  throw new Error(`phase ${phase} never came`);
}

await main();
