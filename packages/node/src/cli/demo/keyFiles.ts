import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exportSecretKeyJwk } from "@careledger/sdk";
import type { People, Person } from "./identities.js";

/** Where the demo's key files go, under the devnet directory. */
export const DEMO_KEYS_DIR = "demo";

/**
 * The people whose keys a newcomer loads in the console, by the file name they get: the demo
 * patient (and `member`, its key for its insurance claims), the clinician, the pharmacist, and
 * the insurer's agent (the claims page's insurer view).
 */
export const DEMO_KEY_HOLDERS = [
  "patient",
  "member",
  "clinician",
  "pharmacist",
  "insurerAgent",
] as const satisfies readonly (keyof People)[];

export function demoKeyFileOf(dir: string, holder: (typeof DEMO_KEY_HOLDERS)[number]): string {
  return join(dir, DEMO_KEYS_DIR, `${holder}.jwk`);
}

/**
 * Writes `DIR/demo/<holder>.jwk` (mode 0600): the key as a private JWK (RFC 8037, what the SDK's
 * `importSecretKeyJwk` and WebCrypto read), with `kid` its account id and, beside the JWK
 * members (which importers ignore), the organization and roles it was registered with.
 */
export async function writeDemoKeys(dir: string, people: People): Promise<string[]> {
  await mkdir(join(dir, DEMO_KEYS_DIR), { recursive: true });
  return Promise.all(
    DEMO_KEY_HOLDERS.map(async (holder) => {
      const file = demoKeyFileOf(dir, holder);
      await writeFile(file, `${JSON.stringify(keyFileOf(people[holder]), null, 2)}\n`, {
        mode: 0o600,
      });
      return file;
    }),
  );
}

function keyFileOf(person: Person) {
  return {
    ...exportSecretKeyJwk(person.keys.secretKey),
    kid: person.keys.accountId,
    org: person.org,
    roles: person.roles,
  };
}
