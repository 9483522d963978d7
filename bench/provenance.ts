/**
 * The issue 15 part of `pnpm bench:ledger` (`BENCH_PROVENANCE_PACKS=100000 pnpm bench:ledger`):
 * the provenance module's throughput with that many serialised packs. A manufacturer
 * commissions them (1,000 serials a transaction), packs them in cases of 1,000, ships the cases
 * to a distributor, which receives them (one transaction a case each way), unpacks them, ships
 * them loose to a pharmacy (500 packs a transaction: first half of each unpacked case, which
 * leaves its stock entry, then the other half, the whole rest of the entry), which receives
 * them. Each phase is
 * timed alone; a pack move is one pack shipped or received. Every transaction is signed before
 * its phase's clock starts and signature checks are excluded, as in the other runs. A smaller
 * warm-up cycle on another product runs first, so the JIT and caches are warm.
 */
import { gs1CheckDigit } from "../packages/gs1/src/index.js";
import { seededKey, type TestChain, testChain } from "../packages/ledger/src/testing/fixtures.js";
import { nodeSigner } from "../packages/ledger/src/testing/nodeCrypto.js";
import {
  PACK_SERIALS_MAX,
  parseGenesis,
  type SignedTx,
  type Signer,
} from "../packages/protocol/src/index.js";
import { openLedgerRun } from "./ledgerRun.js";

const KINDS = ["manufacturer", "distributor", "pharmacy", "regulator"] as const;
const PREFIX = "952012";
/** Transactions a block holds: ten of a thousand packs each. */
const BLOCK_TXS = 10;
const WARMUP_PACKS = 10_000;

const withCheckDigit = (body: string) => `${body}${gs1CheckDigit(body)}`;
const gtinOf = (item: number) => withCheckDigit(`0${PREFIX}${String(item).padStart(6, "0")}`);
const ssccOf = (item: number, n: number) =>
  withCheckDigit(`1${PREFIX}${String(item).padStart(3, "0")}${String(n).padStart(7, "0")}`);

function supplyChain(): TestChain {
  const base = testChain(KINDS.length, 100, 4, KINDS);
  const genesis = parseGenesis({
    ...base.genesis,
    organizations: base.genesis.organizations.map((org, index) =>
      index === 0 ? { ...org, gs1CompanyPrefixes: [PREFIX] } : org,
    ),
  });
  return { genesis, orgs: base.orgs };
}

interface Phase {
  readonly name: string;
  readonly packs: number;
  readonly ms: number;
  readonly cpuMicros: number;
}

export async function provenanceRun(packCount: number): Promise<void> {
  const chain = supplyChain();
  const run = await openLedgerRun("bench-provenance", chain);
  const { ledger, sign } = run;
  const runBlock = async (txs: SignedTx[]) => {
    for (const receipt of await run.runBlock(txs)) {
      if (receipt.status === "failed") throw new Error(`${receipt.code}: ${receipt.reason}`);
    }
  };
  /** Runs signed transactions in blocks, timed: wall time and this process's CPU time. */
  const timed = async (name: string, packs: number, txs: SignedTx[]): Promise<Phase> => {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let at = 0; at < txs.length; at += BLOCK_TXS)
      await runBlock(txs.slice(at, at + BLOCK_TXS));
    const cpu = process.cpuUsage(cpuStart);
    return { name, packs, ms: performance.now() - start, cpuMicros: cpu.user + cpu.system };
  };

  const people = {
    maker: nodeSigner(seededKey("bench-maker", 0)),
    wholesaler: nodeSigner(seededKey("bench-wholesaler", 0)),
    pharmacist: nodeSigner(seededKey("bench-pharmacist", 0)),
  };
  const [maker, wholesaler, pharmacy] = ["org-0", "org-1", "org-2"] as const;
  await runBlock([
    sign(
      "identity.register",
      { key: people.maker.publicKey, org: maker, roles: ["manufacturer"] },
      chain.orgs[0]?.admin as Signer,
    ),
    sign(
      "identity.register",
      { key: people.wholesaler.publicKey, org: wholesaler, roles: ["distributor"] },
      chain.orgs[1]?.admin as Signer,
    ),
    sign(
      "identity.register",
      { key: people.pharmacist.publicKey, org: pharmacy, roles: ["pharmacist"] },
      chain.orgs[2]?.admin as Signer,
    ),
  ]);

  /** One full cycle on product `item`: commission, pack, case moves, unpack, loose moves. */
  const cycle = async (item: number, count: number): Promise<Phase[]> => {
    const gtin = gtinOf(item);
    await runBlock([
      sign(
        "product.register",
        {
          gtin,
          manufacturer: maker,
          name: `Bench product ${item}`,
          form: "tablet",
          strength: "10 mg",
        },
        people.maker,
      ),
    ]);
    const groups = Array.from({ length: Math.ceil(count / PACK_SERIALS_MAX) }, (_, g) =>
      Array.from({ length: Math.min(PACK_SERIALS_MAX, count - g * PACK_SERIALS_MAX) }, (_, i) =>
        String(g * PACK_SERIALS_MAX + i + 1).padStart(8, "0"),
      ),
    );
    const packsOf = (serials: string[]) => [{ gtin, serials }];
    const cases = groups.map((_, g) => ssccOf(item, g + 1));
    const phases: Phase[] = [];
    const commissions = groups.map((serials, g) =>
      sign(
        "pack.commission",
        { gtin, manufacturer: maker, lot: `LOT-${Math.floor(g / 10)}`, expiry: "301231", serials },
        people.maker,
      ),
    );
    phases.push(await timed("pack.commission", count, commissions));
    const packing = groups.map((serials, g) =>
      sign(
        "case.pack",
        { sscc: cases[g] as string, org: maker, packs: packsOf(serials) },
        people.maker,
      ),
    );
    phases.push(await timed("case.pack", count, packing));
    const caseShips = cases.map((sscc) =>
      sign("pack.ship", { from: maker, to: wholesaler, packs: [], cases: [sscc] }, people.maker),
    );
    const caseReceipts = cases.map((sscc) =>
      sign(
        "pack.receive",
        { to: wholesaler, from: maker, packs: [], cases: [sscc], verified: [] },
        people.wholesaler,
      ),
    );
    phases.push(await timed("pack.ship of cases", count, caseShips));
    phases.push(await timed("pack.receive of cases", count, caseReceipts));
    const unpacking = cases.map((sscc) =>
      sign("case.unpack", { sscc, org: wholesaler }, people.wholesaler),
    );
    phases.push(await timed("case.unpack", count, unpacking));
    // Loose: half of each unpacked case's entry first (packs leave their entry: one write
    // each), then the other half (the whole remaining entry moves as one).
    const halves = groups.map((serials) => [
      serials.slice(0, serials.length / 2),
      serials.slice(serials.length / 2),
    ]);
    for (const [half, label] of [
      [0, "part of a stock entry"],
      [1, "whole stock entries"],
    ] as const) {
      const chosen = halves.map((pair) => pair[half] as string[]);
      const moved = chosen.reduce((sum, serials) => sum + serials.length, 0);
      const ships = chosen.map((serials) =>
        sign(
          "pack.ship",
          { from: wholesaler, to: pharmacy, packs: packsOf(serials), cases: [] },
          people.wholesaler,
        ),
      );
      const receipts = chosen.map((serials) =>
        sign(
          "pack.receive",
          { to: pharmacy, from: wholesaler, packs: packsOf(serials), cases: [], verified: [] },
          people.pharmacist,
        ),
      );
      phases.push(await timed(`pack.ship of loose packs, ${label}`, moved, ships));
      phases.push(await timed(`pack.receive of loose packs, ${label}`, moved, receipts));
    }
    return phases;
  };

  await cycle(1, WARMUP_PACKS);
  const phases = await cycle(2, packCount);
  await ledger.close();
  run.remove();
  const perCpu = (phase: Phase) => Math.round((phase.packs / phase.cpuMicros) * 1e6);
  const perWall = (phase: Phase) => Math.round((phase.packs / phase.ms) * 1000);
  const moves = (names: string[]) => {
    const chosen = phases.filter((phase) => names.includes(phase.name));
    const packs = chosen.reduce((sum, phase) => sum + phase.packs, 0);
    const cpu = chosen.reduce((sum, phase) => sum + phase.cpuMicros, 0);
    return Math.round((packs / cpu) * 1e6);
  };
  console.log(
    [
      `provenance with ${packCount} packs (cases and transactions of ${PACK_SERIALS_MAX}, blocks of ${BLOCK_TXS} transactions; warm-up cycle of ${WARMUP_PACKS} untimed)`,
      ...phases.map(
        (phase) =>
          `  ${phase.name}: ${perCpu(phase)} packs per CPU-second (${perWall(phase)}/s wall, ${(phase.ms / 1000).toFixed(2)} s)`,
      ),
      `  pack moves per CPU-second, case moves (ship + receive): ${moves(["pack.ship of cases", "pack.receive of cases"])}`,
      ...["part of a stock entry", "whole stock entries"].map(
        (label) =>
          `  pack moves per CPU-second, loose moves of ${label} (ship + receive): ${moves([`pack.ship of loose packs, ${label}`, `pack.receive of loose packs, ${label}`])}`,
      ),
    ].join("\n"),
  );
}
