/**
 * The claims story on a running devnet: an insurer registers a plan and enrols a member, a
 * hospital clinician asks for a pre-authorization of an MRI, submits an office visit and the
 * MRI (adjudicated at commit: the ClaimResponse comes back in the receipt), a duplicate of the
 * visit is denied, the insurer pays part, the hospital disputes, the insurer adjusts, and the
 * member's accumulators and the claim's status history read back.
 *
 *   pnpm devnet   # in another terminal: starts a local network under .devnet/
 *   npx tsx --conditions=source packages/sdk/examples/claims.ts http://127.0.0.1:8080 .devnet
 *
 * Arguments: a node's API URL and the devnet directory (its genesis, and the admin keys of its
 * hospital and insurer organizations).
 */
import { Claims, Coverages, generateKeyPair, Plans, sha256 } from "@careledger/sdk";
import { openDevnet, run, step, WAIT } from "./devnet.js";

const DAY_MS = 86_400_000;
const VISIT = { code: "99213", quantity: 1, unitPrice: 20_000 };
const MRI = { code: "70553", quantity: 1, unitPrice: 250_000 };

/** A salted commitment the provider opens to the insurer off chain (never the diagnosis itself). */
const commitment = (text: string) =>
  sha256(new TextEncoder().encode(`${text}:${crypto.randomUUID()}`));

run(async () => {
  const [url, dir] = process.argv.slice(2);
  if (url === undefined || dir === undefined) {
    throw new Error("usage: claims.ts <node url> <devnet directory>");
  }
  const devnet = await openDevnet(url, dir);
  const hospital = await devnet.admin("hospital");
  const insurer = await devnet.admin("insurer");
  const head = await devnet.as(insurer.admin).getBlock("latest");
  const now = head.header.time;
  step(`height ${head.height}; provider ${hospital.org.id}, insurer ${insurer.org.id}`);

  // 1. People: a clinician at the hospital, an agent at the insurer; the member's own key.
  const clinician = await devnet.person(hospital, "clinician");
  const agent = await devnet.person(insurer, "insurer-agent");
  const member = generateKeyPair();
  step("registered a clinician and an insurer agent; the member holds a key of its own");

  // 2. A plan for this benefit year, and the member's coverage.
  const plans = new Plans(devnet.as(agent));
  const planId = `gold-${now}`;
  await plans.register(
    {
      id: planId,
      insurer: insurer.org.id,
      name: "Gold (devnet)",
      currency: "USD",
      period: { start: now - DAY_MS, end: now + 365 * DAY_MS },
      terms: {
        deductible: 100_000,
        coinsuranceBp: 2_000,
        outOfPocketMax: 300_000,
        timelyFilingDays: 365,
        disputeWindowDays: 180,
        rules: [
          { code: "99213", allowedPerUnit: 12_000, copay: 2_500, copayOnly: true, preauth: false },
          { code: "70553", allowedPerUnit: 180_000, copay: 5_000, copayOnly: false, preauth: true },
        ],
      },
    },
    WAIT,
  );
  const coverages = new Coverages(devnet.as(agent));
  const coverage = await coverages.enroll(
    {
      insurer: insurer.org.id,
      plan: planId,
      member: member.publicKey,
      period: { start: now - DAY_MS },
    },
    WAIT,
  );
  step(
    `plan ${planId} registered (USD 1,000.00 deductible, 20%, USD 3,000.00 out-of-pocket); coverage ${coverage}`,
  );

  // 3. The MRI needs a pre-authorization.
  const provider = new Claims(devnet.as(clinician));
  const base = { provider: hospital.org.id, coverage, member: member.publicKey };
  const preauth = await provider.preauthorize(
    { ...base, period: { start: now - DAY_MS, end: now + 30 * DAY_MS }, items: [MRI] },
    WAIT,
  );
  step(
    `pre-authorization ${preauth.id}: ${preauth.decision.decision} for ${preauth.decision.approved.join(", ")}`,
  );

  // 4. The visit and the MRI in one claim, adjudicated at commit.
  const serviceDate = now - 60_000;
  const claim = await provider.submit(
    {
      ...base,
      type: "professional",
      serviceDate,
      items: [VISIT, MRI],
      diagnoses: [commitment("M54.5")],
      preauthorization: preauth.id,
    },
    WAIT,
  );
  const response = claim.response;
  if (response.outcome !== "complete") throw new Error(`claim not adjudicated: ${response.errors}`);
  for (const line of response.lines) {
    step(
      `claim ${claim.id} line ${line.sequence}: submitted ${line.submitted}, eligible ${line.eligible}, copay ${line.copay}, deductible ${line.deductible}, coinsurance ${line.coinsurance}, member ${line.memberShare}, plan ${line.benefit}`,
    );
  }
  step(
    `decision ${response.decision}; plan pays ${response.totals.benefit}, member ${response.totals.memberShare} (${response.currency} cents)`,
  );

  // 5. The same visit sent again is a duplicate: denied, nothing accrues.
  const again = await provider.submit(
    {
      ...base,
      type: "professional",
      serviceDate,
      items: [VISIT, MRI],
      preauthorization: preauth.id,
    },
    WAIT,
  );
  const reasons =
    again.response.outcome === "complete" ? again.response.lines.map((line) => line.reason) : [];
  step(
    `resubmitted: ${again.response.outcome === "complete" ? again.response.decision : "error"} (${reasons.join(", ")})`,
  );

  // 6. Payment, dispute, resolution.
  const payer = new Claims(devnet.as(agent));
  const reference = commitment("EFT-0001");
  await payer.pay({ claim: claim.id, insurer: insurer.org.id, amount: 50_000, reference }, WAIT);
  step("insurer paid 50,000 of it");
  await provider.dispute(
    {
      claim: claim.id,
      provider: hospital.org.id,
      reason: "underpayment",
      evidence: commitment("contract"),
    },
    WAIT,
  );
  step("hospital disputed: underpayment");
  const mri = response.lines[1];
  if (mri === undefined) throw new Error("the MRI line is missing");
  await payer.resolve(
    {
      claim: claim.id,
      insurer: insurer.org.id,
      outcome: "adjusted",
      lines: [{ sequence: 2, benefit: mri.benefit + 4_000 }],
    },
    WAIT,
  );
  const resolved = await payer.get(claim.id);
  step(
    `insurer adjusted the MRI line: payable ${resolved?.payable}, paid ${resolved?.paid}, status ${resolved?.status}`,
  );
  step(`history: ${resolved?.history.map((entry) => entry.status).join(" -> ")}`);

  // 7. The member's accumulators, as its insurer sees them; the insurer's open claims.
  const met = await coverages.accumulators(coverage);
  step(
    `accumulators: deductible ${met?.deductibleMet} of ${met?.deductible}, out-of-pocket ${met?.outOfPocketMet} of ${met?.outOfPocketMax}`,
  );
  const open = await payer.openOfInsurer(insurer.org.id);
  step(`insurer's open claims include this one: ${open.items.some((one) => one.id === claim.id)}`);
});
