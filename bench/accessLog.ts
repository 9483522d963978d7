/**
 * The issue 13 part of `pnpm bench:ledger` (`BENCH_ACCESS_CONSENTS=100000 pnpm bench:ledger`):
 * `access.log` executions per second with that many consents in state. Setup (untimed):
 * patients, clinicians at hospitals and clinics, one record per patient, and the consents,
 * ten per patient (eight to clinicians' keys, two to organizations), all through ordinary
 * signed transactions. Timed: blocks of access.log by random clinicians on random records;
 * signature checks excluded as in the other runs.
 */
import {
  GENESIS_TIME,
  prng,
  seededKey,
  testChain,
} from "../packages/ledger/src/testing/fixtures.js";
import { nodeSigner } from "../packages/ledger/src/testing/nodeCrypto.js";
import { type Canonical, type SignedTx, sha256 } from "../packages/protocol/src/index.js";
import { openLedgerRun } from "./ledgerRun.js";

const ORGANIZATIONS = 8;
const KINDS = ["hospital", "clinic", "hospital", "clinic", "hospital", "clinic", "hospital", "lab"];
const CONSENTS_PER_PATIENT = 10;
const CLINICIANS = 1_000;
const BLOCK_TXS = 5_000;
/** Timed blocks; BENCH_ACCESS_BLOCKS changes it (a longer run for a CPU profile). */
const TIMED_BLOCKS = Number(process.env.BENCH_ACCESS_BLOCKS ?? 8);
const WARMUP_BLOCKS = 2;

const hex32 = (n: number) => n.toString(16).padStart(32, "0");

export async function accessLogRun(consents: number): Promise<void> {
  const patientsCount = Math.ceil(consents / CONSENTS_PER_PATIENT);
  const chain = testChain(ORGANIZATIONS, 100, 4, KINDS);
  const run = await openLedgerRun("bench-access", chain);
  const { ledger, sign } = run;
  const runAll = (txs: SignedTx[]) => run.runAll(txs, BLOCK_TXS);
  const random = prng(13);
  const orgOf = (index: number) => chain.orgs[index % ORGANIZATIONS] as (typeof chain.orgs)[0];
  const failures = new Map<string, number>();

  const setupStart = performance.now();
  // Clinicians only at hospitals and clinics (org 7, the lab, has none): organization grants
  // and break-the-glass both apply to them.
  const clinicians = Array.from({ length: CLINICIANS }, (_, i) => ({
    signer: nodeSigner(seededKey("bench-clinician", i)),
    org: i % (ORGANIZATIONS - 1),
  }));
  const patients = Array.from({ length: patientsCount }, (_, i) =>
    nodeSigner(seededKey("bench-patient", i)),
  );
  await runAll([
    ...clinicians.map(({ signer, org }) =>
      sign(
        "identity.register",
        { key: signer.publicKey, org: orgOf(org).id, roles: ["clinician"] },
        orgOf(org).admin,
      ),
    ),
    ...patients.map((patient, i) =>
      sign(
        "identity.register",
        { key: patient.publicKey, org: orgOf(i).id, roles: ["patient"] },
        orgOf(i).admin,
      ),
    ),
  ]);
  // One record per patient, anchored by a clinician of its custodian.
  await runAll(
    patients.map((patient, i) => {
      const clinician = clinicians[i % CLINICIANS] as (typeof clinicians)[0];
      const payload = {
        id: hex32(i + 1),
        patient: patient.publicKey,
        class: i % 3 === 0 ? "lab" : "note",
        custodian: orgOf(clinician.org).id,
        // One hash, one record on chain (RECORD_HASH_REUSED): each record's content differs.
        hash: sha256(new TextEncoder().encode(`bench record ${i}`)),
      };
      return sign("record.anchor", payload, clinician.signer);
    }),
  );
  let consentIds = 0;
  const grants: SignedTx[] = [];
  for (const patient of patients) {
    for (let c = 0; c < CONSENTS_PER_PATIENT; c++) {
      const grantee =
        c < 8
          ? {
              key: (clinicians[Math.floor(random() * CLINICIANS)] as (typeof clinicians)[0]).signer
                .publicKey,
            }
          : { org: orgOf(Math.floor(random() * (ORGANIZATIONS - 1))).id };
      const payload = {
        id: hex32(++consentIds),
        patient: patient.publicKey,
        grantee,
        actions: ["access", "use"],
        purposes: ["TREAT"],
        period: { start: GENESIS_TIME },
        ...(c % 4 === 0 && { deny: [{ classes: ["mental-health"] }] }),
      } as unknown as Canonical;
      grants.push(sign("consent.grant", payload, patient));
    }
  }
  await runAll(grants);
  const setupMs = performance.now() - setupStart;

  // Accesses by random clinicians on random records: the decisions line shows the mix (about
  // a quarter permitted through an organization grant, a few by a key grant, 5% emergencies).
  const accessBlocks = Array.from({ length: WARMUP_BLOCKS + TIMED_BLOCKS }, () =>
    Array.from({ length: BLOCK_TXS }, () => {
      const patientIndex = Math.floor(random() * patientsCount);
      const clinician = clinicians[Math.floor(random() * CLINICIANS)] as (typeof clinicians)[0];
      const purpose = random() < 0.05 ? "ETREAT" : "TREAT";
      const payload = { record: hex32(patientIndex + 1), purpose, action: "access" };
      return sign("access.log", payload, clinician.signer);
    }),
  );
  let timedMs = 0;
  let cpuMicros = 0;
  let busyMs = 0;
  let timedTxs = 0;
  const reasons = new Map<string, number>();
  for (const [index, txs] of accessBlocks.entries()) {
    if (index === WARMUP_BLOCKS) run.executeMs = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const eluStart = performance.eventLoopUtilization();
    const receipts = await run.runBlock(txs);
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    const elu = performance.eventLoopUtilization(eluStart);
    for (const receipt of receipts) {
      if (receipt.status === "failed") {
        failures.set(receipt.code, (failures.get(receipt.code) ?? 0) + 1);
      } else {
        const { reason } = receipt.result as { reason: string };
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    if (index >= WARMUP_BLOCKS) {
      timedMs += ms;
      cpuMicros += cpu.user + cpu.system;
      busyMs += elu.active;
      timedTxs += txs.length;
    }
  }
  await ledger.close();
  run.remove();
  console.log(
    [
      `access.log with ${consents} consents in state (${patientsCount} patients, ${CLINICIANS} clinicians, setup ${(setupMs / 1000).toFixed(0)} s untimed)`,
      `  blocks of ${BLOCK_TXS} x ${TIMED_BLOCKS} (${WARMUP_BLOCKS} warm-up): execution + commit ${Math.round((timedTxs / timedMs) * 1000)} access.log/s (${(timedMs / TIMED_BLOCKS).toFixed(0)} ms a block, execution ${Math.round((run.executeMs / timedMs) * 100)}%)`,
      `  per CPU-second of this process: ${Math.round((timedTxs / cpuMicros) * 1e6)} access.log/s (all its threads, LevelDB's compaction of the setup included)`,
      `  per busy second of the main thread (event loop utilization): ${Math.round((timedTxs / busyMs) * 1000)} access.log/s`,
      `  decisions: ${JSON.stringify(Object.fromEntries(reasons))}; failed receipts: ${JSON.stringify(Object.fromEntries(failures))}`,
    ].join("\n"),
  );
}
