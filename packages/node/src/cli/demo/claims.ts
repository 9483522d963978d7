import { Caller, randomId, sha256 } from "@careledger/sdk";
import type { People, Person } from "./identities.js";
import type { DemoWorld } from "./world.js";

const DAY_MS = 86_400_000;

/** What the claims story leaves: the plan, the member's coverage, both claims. */
export interface FiledClaims {
  readonly plan: string;
  readonly coverage: string;
  /** An office visit and a blood count: approved and paid. */
  readonly paid: string;
  /** A brain MRI without pre-authorization: denied, disputed, adjusted, then paid. */
  readonly disputed: string;
}

/** Meridian's plan: what it allows per service code, in US cents. */
const TERMS = {
  deductible: 50_000,
  coinsuranceBp: 2_000,
  outOfPocketMax: 300_000,
  timelyFilingDays: 365,
  disputeWindowDays: 180,
  rules: [
    // Office visit, established patient: a copay and nothing else.
    { code: "99213", allowedPerUnit: 12_000, copay: 2_500, copayOnly: true, preauth: false },
    // Complete blood count: deductible, then coinsurance.
    { code: "85025", allowedPerUnit: 4_000, copayOnly: false, preauth: false },
    // MRI of the brain: needs a pre-authorization.
    { code: "70553", allowedPerUnit: 180_000, copay: 5_000, copayOnly: false, preauth: true },
  ],
};

/** A salted commitment: the chain holds a hash the provider can open to the insurer off chain. */
const commitment = (value: string) => sha256(new TextEncoder().encode(`${randomId()}:${value}`));

const callerOf = (world: DemoWorld, person: Person) => new Caller(world.client(person.signer));

/**
 * The claims story (issue 14): Meridian's agent registers a plan and enrols the demo member (a
 * key of the patient's for this coverage only); the hospital's clinician files two claims for
 * services of yesterday, adjudicated at commit: the first approved and paid; the second, an MRI
 * without pre-authorization, denied, disputed by the hospital, adjusted by the insurer and paid.
 */
export async function fileClaims(world: DemoWorld, people: People): Promise<FiledClaims> {
  const { insurerAgent, clinician, member } = people;
  const insurer = callerOf(world, insurerAgent);
  const provider = callerOf(world, clinician);
  const now = (await world.client(insurerAgent.signer).getBlock("latest")).header.time;
  const plan = `meridian-gold-${new Date(now).getUTCFullYear()}`;
  const options = world.commit;
  await insurer.commit(
    "plan.register",
    {
      id: plan,
      insurer: insurerAgent.org,
      name: "Meridian Gold",
      currency: "USD",
      period: { start: now - 30 * DAY_MS, end: now + 335 * DAY_MS },
      terms: TERMS,
    },
    options,
  );
  const coverage = randomId();
  await insurer.commit(
    "coverage.enroll",
    {
      id: coverage,
      insurer: insurerAgent.org,
      plan,
      member: member.keys.publicKey,
      period: { start: now - 30 * DAY_MS },
    },
    options,
  );
  const claim = (id: string, items: { code: string; quantity: number; unitPrice: number }[]) =>
    provider.commit(
      "claim.submit",
      {
        id,
        provider: clinician.org,
        coverage,
        member: member.keys.publicKey,
        type: "professional",
        serviceDate: now - DAY_MS,
        items,
        diagnoses: [commitment("ICD-10 R51.9")],
        evidence: [],
      },
      options,
    );
  const paid = randomId();
  const disputed = randomId();
  await claim(paid, [
    { code: "99213", quantity: 1, unitPrice: 15_000 },
    { code: "85025", quantity: 1, unitPrice: 5_500 },
  ]);
  await claim(disputed, [{ code: "70553", quantity: 1, unitPrice: 240_000 }]);
  const pay = async (id: string) => {
    const filed = await world.client(insurerAgent.signer).query("claim.get", { id });
    if (filed === null || filed.payable === 0) throw new Error(`claim ${id} has nothing payable`);
    const reference = commitment(`remittance ${id}`);
    const payment = { claim: id, insurer: insurerAgent.org, amount: filed.payable, reference };
    await insurer.commit("claim.pay", payment, options);
  };
  await pay(paid);
  // The hospital had the pre-authorization by phone: it disputes, the insurer adjusts the line.
  await provider.commit(
    "claim.dispute",
    {
      claim: disputed,
      provider: clinician.org,
      reason: "preauth-on-file",
      evidence: commitment("preauthorization call reference"),
    },
    options,
  );
  await insurer.commit(
    "claim.resolve",
    {
      claim: disputed,
      insurer: insurerAgent.org,
      outcome: "adjusted",
      lines: [{ sequence: 1, benefit: 140_000 }],
    },
    options,
  );
  await pay(disputed);
  return { plan, coverage, paid, disputed };
}
