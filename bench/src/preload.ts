/**
 * The state a healthcare step executes against, loaded through the API before any measured
 * step: patients (registered keys) each with a record and a consent, members enrolled in the
 * insurer's plan, and serialised packs at the manufacturer, packed in cases of a thousand.
 * Identities, consents, records and coverages take one transaction each (the modules have no
 * batch form); packs go a thousand serials to a transaction, the most a commission or a case
 * takes. How long it took is part of the report.
 */

import { DEVNET_ORG } from "@careledger/node/devnet";
import { PACK_SERIALS_MAX } from "@careledger/protocol";
import type { LoadContext } from "./careLedgerLoad.js";
import type { Router } from "./loadgen.js";
import { packLimits, SMALL_TXS, submitAll } from "./mix/submitAll.js";
import {
  anchorTx,
  casePackTx,
  commissionTx,
  enrollTx,
  grantTx,
  planPayload,
  sign,
} from "./mix/txs.js";
import {
  adminOfOrg,
  GTIN,
  nextSerials,
  nextSscc,
  type Person,
  randomId,
  type World,
} from "./mix/world.js";
import type { PreparedTx } from "./txMix.js";
import { freshSigner } from "./txMix.js";

export interface StateSize {
  readonly patients: number;
  readonly members: number;
  readonly packs: number;
}

export interface PreloadReport extends StateSize {
  readonly records: number;
  readonly consents: number;
  readonly cases: number;
  readonly clinicians: number;
  /** Transactions the preload committed. */
  readonly txs: number;
  /** Wall time of each phase and in all (key generation and signing included), seconds. */
  readonly phasesS: Readonly<Record<string, number>>;
  readonly seconds: number;
}

type Build = (expires: number) => PreparedTx;

function registerTx(world: World, person: Person, role: string, expires: number): PreparedTx {
  const payload = { key: person.signer.publicKey, org: person.org, roles: [role] as never };
  return sign(world, "identity.register", payload, adminOfOrg(world, person.org), expires);
}

/** Loads the state in phases, each waited for: people, their things, packs, then cases. */
export async function preload(
  world: World,
  context: LoadContext,
  router: Router,
  size: StateSize,
  log: (line: string) => void,
): Promise<PreloadReport> {
  const started = performance.now();
  const phasesS: Record<string, number> = {};
  let txs = 0;
  const phase = async (name: string, builds: readonly Build[], limits = SMALL_TXS) => {
    const at = performance.now();
    await submitAll(context, router, builds.length, (i, e) => (builds[i] as Build)(e), limits);
    txs += builds.length;
    phasesS[name] = Math.round((performance.now() - at) / 100) / 10;
    log(`preload ${name}: ${builds.length} transactions in ${phasesS[name]} s`);
  };

  world.patients.push(...Array.from({ length: size.patients }, () => freshSigner()));
  const manufacturer = world.maker.org;
  await phase("people", [
    ...world.clinicians.map((c) => (e: number) => registerTx(world, c, "clinician", e)),
    (e) => registerTx(world, world.insurerAgent, "insurer-agent", e),
    (e) => registerTx(world, world.maker, "manufacturer", e),
    (e) => registerTx(world, world.wholesaler, "distributor", e),
    ...world.patients.map(
      (patient) => (e: number) =>
        registerTx(world, { signer: patient, org: DEVNET_ORG.hospital }, "patient", e),
    ),
    (e) =>
      sign(
        world,
        "plan.register",
        planPayload(world),
        adminOfOrg(world, world.insurerAgent.org),
        e,
      ),
    (e) =>
      sign(
        world,
        "product.register",
        {
          gtin: GTIN,
          manufacturer,
          name: "Bench tablets 10 mg, 28",
          form: "tablet",
          strength: "10 mg",
        },
        adminOfOrg(world, manufacturer),
        e,
      ),
  ]);

  world.records.push(...world.patients.map(() => randomId()));
  world.members.push(
    ...Array.from({ length: size.members }, () => ({
      coverage: randomId(),
      key: crypto.getRandomValues(new Uint8Array(32)),
    })),
  );
  const groups = Array.from({ length: Math.ceil(size.packs / PACK_SERIALS_MAX) }, (_, g) =>
    nextSerials(world, Math.min(PACK_SERIALS_MAX, size.packs - g * PACK_SERIALS_MAX)),
  );
  const clinicianOf = (i: number) => world.clinicians[i % world.clinicians.length] as Person;
  await phase("records, consents, coverages", [
    ...world.patients.map(
      (patient, i) => (e: number) =>
        anchorTx(world, patient, world.records[i] as string, clinicianOf(i), e),
    ),
    ...world.patients.map((patient) => (e: number) => grantTx(world, patient, randomId(), e)),
    ...world.members.map((member) => (e: number) => enrollTx(world, member, e)),
  ]);
  await phase(
    "packs",
    groups.map((serials) => (e: number) => commissionTx(world, serials, e)),
    packLimits(PACK_SERIALS_MAX),
  );
  const cases = groups.map((serials) => ({ sscc: nextSscc(world), serials }));
  await phase(
    "cases",
    cases.map(
      ({ sscc, serials }) =>
        (e: number) =>
          casePackTx(world, sscc, serials, e),
    ),
    packLimits(PACK_SERIALS_MAX),
  );
  return {
    ...size,
    records: size.patients,
    consents: size.patients,
    cases: cases.length,
    clinicians: world.clinicians.length,
    txs,
    phasesS,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
