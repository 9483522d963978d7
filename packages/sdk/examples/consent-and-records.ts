/**
 * The consent and records story on a running devnet: a clinician uploads an encrypted record,
 * another organization's clinician is denied, the patient grants that organization TREAT access
 * with an exception and the read succeeds, an emergency physician breaks the glass and the
 * hospital reviews it, the patient reads its access history, revokes, and forgets a record.
 *
 *   pnpm devnet   # in another terminal: starts a local network under .devnet/
 *   npx tsx --conditions=source packages/sdk/examples/consent-and-records.ts \
 *     http://127.0.0.1:8080 .devnet/node-0/admin.key
 *
 * Arguments: the API URL of a node of the admin's organization (it is the records' custodian:
 * their content is stored there), that organization's admin key file (64 hex digits), and
 * optionally the admin key file of another organization (by default the devnet's: the
 * `node-<i>/admin.key` beside the first one that administers another care-giving organization,
 * or any other organization when the devnet has none). The genesis file is the one beside the
 * first key file, as a devnet node home has it.
 */
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  Access,
  CareLedgerClient,
  CareLedgerError,
  Consents,
  chainIdOf,
  type Genesis,
  generateKeyPair,
  genesisValidators,
  type IdentityRole,
  importSecretKeyHex,
  type KeyPair,
  keyPairFromSecretKey,
  keySigner,
  parseGenesis,
  Records,
  toHex,
} from "@careledger/sdk";

const WAIT = { timeoutMs: 30_000 };
/** Kinds whose clinicians may break the glass (DOMAIN.md), then others that hold clinical roles. */
const KIND_PREFERENCE = ["hospital", "clinic", "lab", "pharmacy"];

type Organization = Genesis["organizations"][number];

async function main(): Promise<void> {
  const [url, adminKeyFile, otherAdminKeyFile] = process.argv.slice(2);
  if (url === undefined || adminKeyFile === undefined) {
    throw new Error(
      "usage: consent-and-records.ts <node url> <admin key file> [other admin key file]",
    );
  }
  const admin = await readKey(adminKeyFile);
  const genesis = parseGenesis(
    JSON.parse(await readFile(join(dirname(adminKeyFile), "genesis.json"), "utf8")),
  );
  const hospital = orgAdministeredBy(genesis, admin);
  const other = otherAdminKeyFile
    ? await adminOf(genesis, await readKey(otherAdminKeyFile))
    : await siblingAdmin(genesis, adminKeyFile, hospital.id);
  const as = (who: KeyPair) => new CareLedgerClient(url, { signer: keySigner(who.secretKey) });

  const status = await as(admin).status();
  if (!hospital.nodeKeys.includes(toHex(status.node))) {
    throw new Error(`${url} is not a node of ${hospital.id}, which holds the records' content`);
  }
  step(
    `node at height ${status.height}; custodian ${hospital.id} (${hospital.kind}), other organization ${other.org.id} (${other.org.kind})`,
  );

  // 1. Identities: two clinicians and a patient at the hospital, one at the other organization.
  const clinician = generateKeyPair();
  const emergency = generateKeyPair();
  const patient = generateKeyPair();
  const visitor = generateKeyPair();
  const otherRole: IdentityRole = other.org.kind === "pharmacy" ? "pharmacist" : "clinician";
  await register(as(admin), clinician, hospital.id, "clinician");
  await register(as(admin), emergency, hospital.id, "clinician");
  await register(as(admin), patient, hospital.id, "patient");
  await register(as(other.admin), visitor, other.org.id, otherRole);
  step(
    `registered clinician ${short(clinician)}, emergency physician ${short(emergency)} and patient ${short(patient)} at ${hospital.id}; ${otherRole} ${short(visitor)} at ${other.org.id}`,
  );

  // 2. The clinician uploads two records; the chain gets only their anchors.
  const marker = `CARELEDGER-EXAMPLE-${toHex(crypto.getRandomValues(new Uint8Array(4)))}`;
  const byClinician = new Records(as(clinician));
  const lab = await byClinician.upload(
    new TextEncoder().encode(`${marker} lab: potassium 5.9 mmol/L, repeat in 2 h`),
    { patient: patient.publicKey, class: "lab", custodian: hospital.id, ...WAIT },
  );
  const therapy = await byClinician.upload(
    new TextEncoder().encode(`${marker} mental-health: session notes`),
    { patient: patient.publicKey, class: "mental-health", custodian: hospital.id, ...WAIT },
  );
  step(
    `uploaded lab record ${lab.id} (ciphertext hash ${lab.hash.slice(0, 16)}...) and mental-health record ${therapy.id}`,
  );

  // 3. The other organization's clinician has no consent yet.
  const byVisitor = new Records(as(visitor));
  const denied = await refusal(byVisitor.read(lab.id, { purpose: "TREAT" }, WAIT), "ACCESS_DENIED");
  step(`${other.org.id} reads the lab record: ${denied.code} (${String(denied.details.reason)})`);

  // 4. The patient grants that organization TREAT access, except mental-health records.
  const consents = new Consents(as(patient));
  const consent = await consents.grant(
    {
      grantee: { org: other.org.id },
      actions: ["access"],
      purposes: ["TREAT"],
      deny: [{ classes: ["mental-health"] }],
    },
    WAIT,
  );
  // As the patient: a decision about its own records (patient and class; a record id alone
  // would leave the node to judge whether the caller may ask).
  const decision = await consents.decision({
    accessor: visitor.publicKey,
    patient: patient.publicKey,
    class: "lab",
    purpose: "TREAT",
  });
  step(
    `patient granted ${other.org.id} TREAT access except mental-health: consent ${consent}; decision now ${decision.decision} (${decision.reason})`,
  );

  // 5. The read succeeds now; the exception still holds for the other record. The decision is
  // read from the receipt proven against headers the genesis validators certified.
  const trust = { chainId: chainIdOf(genesis), validators: genesisValidators(genesis) };
  const read = await byVisitor.read(lab.id, { purpose: "TREAT" }, { ...WAIT, trust });
  step(
    `${other.org.id} reads the lab record: "${new TextDecoder().decode(read.content)}" (access ${read.access.slice(0, 16)}..., ${read.decision.reason} ${read.decision.consent})`,
  );
  const excepted = await refusal(
    byVisitor.read(therapy.id, { purpose: "TREAT" }, WAIT),
    "ACCESS_DENIED",
  );
  step(
    `${other.org.id} reads the mental-health record: ${excepted.code} (${String(excepted.details.reason)})`,
  );

  // 6. Break the glass: an emergency physician reads without consent, visibly.
  const urgent = await new Records(as(emergency)).read(therapy.id, { purpose: "ETREAT" }, WAIT);
  step(
    `emergency physician breaks the glass on the mental-health record: ${urgent.decision.decision} (${urgent.decision.reason}, flagged ${urgent.decision.breakGlass})`,
  );
  const hospitalAccess = new Access(as(admin));
  const awaiting = await hospitalAccess.breakGlass(hospital.id);
  step(`${hospital.id} has ${awaiting.items.length} break-the-glass access(es) awaiting review`);
  await hospitalAccess.review({ org: hospital.id, access: urgent.access, justified: true }, WAIT);
  step(`${hospital.id} reviewed access ${urgent.access.slice(0, 16)}...: justified`);

  // 7. The patient sees every access to its records.
  step("patient's access history, newest first:");
  for await (const entry of new Access(as(patient)).historyAll()) {
    const who = entry.accessorOrg ?? "no organization";
    const review = entry.review
      ? `, reviewed: ${entry.review.justified ? "justified" : "not justified"}`
      : "";
    console.log(
      `    height ${entry.height}: ${who} ${entry.purpose} ${entry.class} -> ${entry.decision} (${entry.reason}${review})`,
    );
  }

  // 8. Revocation is prospective: the next read is denied.
  await consents.revoke(consent, WAIT);
  const revoked = await refusal(
    byVisitor.read(lab.id, { purpose: "TREAT" }, WAIT),
    "ACCESS_DENIED",
  );
  step(
    `patient revoked ${consent}; ${other.org.id} reads the lab record: ${revoked.code} (${String(revoked.details.reason)})`,
  );

  // 9. The right to be forgotten: the custodian erases the content and reports it on chain.
  const byPatient = new Records(as(patient));
  await byPatient.forget(lab.id, WAIT);
  const erased = await byPatient.erased(lab.id, WAIT);
  step(`patient forgot the lab record: ${erased.status} at height ${erased.forgotten?.height}`);
  const gone = await refusal(
    byPatient.read(lab.id, { purpose: "PATRQT" }, WAIT),
    "RECORD_FORGOTTEN",
  );
  step(`patient reads the lab record: ${gone.code}`);
}

async function readKey(file: string): Promise<KeyPair> {
  return keyPairFromSecretKey(importSecretKeyHex(await readFile(file, "utf8")));
}

function orgAdministeredBy(genesis: Genesis, admin: KeyPair): Organization {
  const org = genesis.organizations.find((one) => one.adminKeys.includes(admin.accountId));
  if (org === undefined) throw new Error(`key ${admin.accountId} administers no organization`);
  return org;
}

async function adminOf(genesis: Genesis, admin: KeyPair) {
  return { org: orgAdministeredBy(genesis, admin), admin };
}

/** The admin key of another organization, from the devnet's node homes beside the first key. */
async function siblingAdmin(genesis: Genesis, adminKeyFile: string, own: string) {
  const rank = (org: Organization) => {
    const index = KIND_PREFERENCE.indexOf(org.kind);
    return index === -1 ? KIND_PREFERENCE.length : index;
  };
  const others = genesis.organizations
    .filter((org) => org.id !== own)
    .sort((a, b) => rank(a) - rank(b));
  const devnet = dirname(dirname(adminKeyFile));
  const homes = (await readdir(devnet)).filter((name) => /^node-\d+$/.test(name));
  const admins = await Promise.all(
    homes.map((home) => readKey(join(devnet, home, "admin.key")).catch(() => null)),
  );
  for (const org of others) {
    const admin = admins.find((key) => key !== null && org.adminKeys.includes(key.accountId));
    if (admin) return { org, admin };
  }
  throw new Error(`no admin key of another organization under ${devnet}: pass one`);
}

async function register(client: CareLedgerClient, who: KeyPair, org: string, role: IdentityRole) {
  const admin = client.signer;
  if (admin === undefined) throw new Error("the registering client needs its admin's signer");
  const builder = await client.txBuilder(admin);
  const tx = builder.build(
    "identity.register",
    { key: who.publicKey, org, roles: [role] },
    await client.expiresAfter(),
  );
  await client.submitAndWait(tx, WAIT);
}

/** The error `promise` must reject with; anything else (a success included) stops the story. */
async function refusal(promise: Promise<unknown>, code: string): Promise<CareLedgerError> {
  const outcome = await promise.then(
    () => new Error(`expected ${code}, but it succeeded`),
    (error: unknown) => error,
  );
  if (outcome instanceof CareLedgerError && outcome.code === code) return outcome;
  throw outcome;
}

let steps = 0;
function step(text: string): void {
  steps += 1;
  console.log(`${String(steps).padStart(2)}. ${text}`);
}

function short(who: KeyPair): string {
  return `${who.accountId.slice(0, 12)}...`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
