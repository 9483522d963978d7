/**
 * The issue 14 part of `pnpm bench:ledger` (`BENCH_CLAIMS_MEMBERS=100000 pnpm bench:ledger`):
 * `claim.submit` executions per second with that many members enrolled. Setup (untimed), through
 * ordinary signed transactions: an insurer's plan of 20 service codes, the members' coverages,
 * clinicians at hospitals and clinics. Timed: blocks of claim.submit by random clinicians for
 * random members, three lines each (one copay visit, two coinsurance lines), each claim adjudicated
 * and its member's accumulators updated; signature checks excluded as in the other runs.
 */
import {
  GENESIS_TIME,
  prng,
  seededKey,
  testChain,
} from "../packages/ledger/src/testing/fixtures.js";
import { nodeSigner } from "../packages/ledger/src/testing/nodeCrypto.js";
import type { Canonical, ClaimResponseView, SignedTx } from "../packages/protocol/src/index.js";
import { openLedgerRun } from "./ledgerRun.js";

const ORGANIZATIONS = 8;
const KINDS = ["insurer", "hospital", "clinic", "hospital", "clinic", "hospital", "clinic", "lab"];
const CLINICIANS = 500;
const BLOCK_TXS = 5_000;
/** Timed blocks; BENCH_CLAIMS_BLOCKS changes it (a longer run for a CPU profile). */
const TIMED_BLOCKS = Number(process.env.BENCH_CLAIMS_BLOCKS ?? 8);
const WARMUP_BLOCKS = 2;
const DAY_MS = 86_400_000;
const CODES = Array.from({ length: 20 }, (_, i) => `9${String(9200 + i)}`);

const hex32 = (prefix: string, n: number) =>
  `${prefix}${n.toString(16).padStart(32 - prefix.length, "0")}`;

export async function claimSubmitRun(members: number): Promise<void> {
  const chain = testChain(ORGANIZATIONS, 100, 4, KINDS);
  const run = await openLedgerRun("bench-claims", chain);
  const { ledger, sign } = run;
  const runAll = (txs: SignedTx[]) => run.runAll(txs, BLOCK_TXS);
  const random = prng(14);
  const orgOf = (index: number) => chain.orgs[index % ORGANIZATIONS] as (typeof chain.orgs)[0];
  const insurer = orgOf(0);

  const setupStart = performance.now();
  // Clinicians at the hospitals and clinics (orgs 1 to 6).
  const clinicians = Array.from({ length: CLINICIANS }, (_, i) => ({
    signer: nodeSigner(seededKey("bench-claims-clinician", i)),
    org: 1 + (i % 6),
  }));
  const period = { start: GENESIS_TIME - 180 * DAY_MS, end: GENESIS_TIME + 185 * DAY_MS };
  const rules = CODES.map((code, i) => ({
    code,
    allowedPerUnit: 5_000 + i * 1_000,
    ...(i === 0 && { copay: 2_500 }),
    copayOnly: i === 0,
    preauth: false,
  }));
  await runAll([
    ...clinicians.map(({ signer, org }) =>
      sign(
        "identity.register",
        { key: signer.publicKey, org: orgOf(org).id, roles: ["clinician"] },
        orgOf(org).admin,
      ),
    ),
    sign(
      "plan.register",
      {
        id: "bench-plan",
        insurer: insurer.id,
        name: "Bench plan",
        currency: "USD",
        period,
        terms: {
          deductible: 50_000,
          coinsuranceBp: 2_000,
          outOfPocketMax: 600_000,
          timelyFilingDays: 365,
          disputeWindowDays: 90,
          rules,
        },
      } as unknown as Canonical,
      insurer.admin,
    ),
  ]);
  const memberKeys = Array.from({ length: members }, (_, i) => seededKey("bench-member", i));
  await runAll(
    memberKeys.map((member, i) =>
      sign(
        "coverage.enroll",
        {
          id: hex32("c0", i),
          insurer: insurer.id,
          plan: "bench-plan",
          member,
          period: { start: period.start },
        },
        insurer.admin,
      ),
    ),
  );
  const setupMs = performance.now() - setupStart;

  // Claims of random members by random clinicians: a copay visit and two coinsurance lines, at
  // prices and dates that make every claim distinct (no duplicates).
  let claimIds = 0;
  const claimBlocks = Array.from({ length: WARMUP_BLOCKS + TIMED_BLOCKS }, () =>
    Array.from({ length: BLOCK_TXS }, () => {
      const memberIndex = Math.floor(random() * members);
      const clinician = clinicians[Math.floor(random() * CLINICIANS)] as (typeof clinicians)[0];
      const pick = () => CODES[1 + Math.floor(random() * (CODES.length - 1))] as string;
      const payload = {
        id: hex32("c1", ++claimIds),
        provider: orgOf(clinician.org).id,
        coverage: hex32("c0", memberIndex),
        member: memberKeys[memberIndex] as Uint8Array,
        type: "professional",
        serviceDate: GENESIS_TIME - Math.floor(random() * 60) * DAY_MS,
        items: [
          { code: CODES[0] as string, quantity: 1, unitPrice: 20_000 },
          { code: pick(), quantity: 1 + Math.floor(random() * 3), unitPrice: 9_000 + claimIds },
          { code: pick(), quantity: 1, unitPrice: 30_000 },
        ],
        diagnoses: [new Uint8Array(32).fill(claimIds & 0xff)],
        evidence: [],
      } as unknown as Canonical;
      return sign("claim.submit", payload, clinician.signer);
    }),
  );
  let timedMs = 0;
  let cpuMicros = 0;
  let busyMs = 0;
  let timedTxs = 0;
  const decisions = new Map<string, number>();
  const failures = new Map<string, number>();
  for (const [index, txs] of claimBlocks.entries()) {
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
        const response = receipt.result as ClaimResponseView;
        const decision = response.outcome === "complete" ? response.decision : "error";
        decisions.set(decision, (decisions.get(decision) ?? 0) + 1);
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
      `claim.submit with ${members} members enrolled (${CLINICIANS} clinicians, a plan of ${CODES.length} codes, setup ${(setupMs / 1000).toFixed(0)} s untimed)`,
      `  blocks of ${BLOCK_TXS} x ${TIMED_BLOCKS} (${WARMUP_BLOCKS} warm-up), three lines a claim: execution + commit ${Math.round((timedTxs / timedMs) * 1000)} claim.submit/s (${(timedMs / TIMED_BLOCKS).toFixed(0)} ms a block, execution ${Math.round((run.executeMs / timedMs) * 100)}%)`,
      `  per CPU-second of this process: ${Math.round((timedTxs / cpuMicros) * 1e6)} claim.submit/s (all its threads, LevelDB's compaction of the setup included)`,
      `  per busy second of the main thread (event loop utilization): ${Math.round((timedTxs / busyMs) * 1000)} claim.submit/s`,
      `  decisions: ${JSON.stringify(Object.fromEntries(decisions))}; failed receipts: ${JSON.stringify(Object.fromEntries(failures))}`,
    ].join("\n"),
  );
}
