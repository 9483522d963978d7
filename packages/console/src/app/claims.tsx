import {
  type AccumulatorsJson,
  Claims,
  type ClaimViewJson,
  Coverages,
  type CoverageViewJson,
  type IdentityRole,
  sha256,
} from "@careledger/sdk";
import { useEffect, useState } from "preact/hooks";
import { ClaimCard } from "./claimCard.js";
import { ErrorBox } from "./errors.js";
import { formatDay, formatMoney } from "./money.js";
import type { Session } from "./session.js";
import { useTask } from "./useTask.js";

interface CoverageUse {
  readonly coverage: CoverageViewJson;
  readonly used: AccumulatorsJson | null;
}

/** Whose claims an organization's person sees: an insurer's open ones, a provider's unpaid. */
type OrgView = { readonly kind: "insurer" | "provider"; readonly org: string };

function orgViewOf(org: string, roles: readonly IdentityRole[]): OrgView | undefined {
  if (roles.includes("insurer-agent")) return { kind: "insurer", org };
  if (roles.includes("clinician") || roles.includes("staff")) return { kind: "provider", org };
  return undefined;
}

/**
 * Claims as the key's holder may see them (DOMAIN.md "Who sees what": the parties to a claim):
 * a member key its coverages, what it has met of them, and its claims with their adjudication;
 * an insurer's agent the insurer's open claims, with the payment form; a provider's clinician
 * or staff its receivables. Any party looks a claim up by id.
 */
export function ClaimsPage({ session }: { readonly session: Session }) {
  const claims = new Claims(session.client);
  const coverages = new Coverages(session.client);
  const [orgView, setOrgView] = useState<OrgView>();
  const [covered, setCovered] = useState<readonly CoverageUse[]>([]);
  const [mine, setMine] = useState<readonly ClaimViewJson[]>([]);
  const [open, setOpen] = useState<readonly ClaimViewJson[]>([]);
  const [found, setFound] = useState<ClaimViewJson>();
  const load = useTask();
  const action = useTask();
  const fetchAll = async () => {
    const { identity } = await session.client.query("identity.key", { key: session.key });
    const roles = identity?.roles ?? [];
    const view = identity ? orgViewOf(identity.org, roles) : undefined;
    setOrgView(view);
    if (roles.includes("patient")) {
      const items = (await coverages.ofMember()).items;
      setCovered(
        await Promise.all(
          items.map(async (coverage) => ({
            coverage,
            used: await coverages.accumulators(coverage.id),
          })),
        ),
      );
      setMine((await claims.ofMember()).items);
    }
    if (view?.kind === "insurer") setOpen((await claims.openOfInsurer(view.org)).items);
    if (view?.kind === "provider") setOpen((await claims.receivables(view.org)).items);
  };
  useEffect(() => load.run(fetchAll), [session.key]);
  const lookUp = (id: string) =>
    action.run(async () => {
      setFound(undefined);
      const claim = await claims.get(id);
      if (claim === null) throw new Error(`No claim ${id} that this key may see.`);
      setFound(claim);
    });
  const pay = (claim: ClaimViewJson, reference: string) =>
    action.run(async () => {
      // The chain keeps the remittance's hash, not its text (a trace number, a cheque's).
      const hash = sha256(new TextEncoder().encode(reference));
      const amount = claim.payable - claim.paid;
      await claims.pay({ claim: claim.id, insurer: claim.insurer, amount, reference: hash });
      await fetchAll();
    });

  return (
    <section aria-labelledby="claims-title">
      <h2 id="claims-title">Claims</h2>
      <ErrorBox error={load.error} />
      {covered.length > 0 && (
        <>
          <h3>My coverage</h3>
          <ul>
            {covered.map(({ coverage, used }) => (
              <li key={coverage.id} data-testid="coverage">
                {coverage.plan} at {coverage.insurer}, from {formatDay(coverage.period.start)}
                {used && <Accumulators used={used} />}
              </li>
            ))}
          </ul>
          <h3>My claims</h3>
          {mine.length === 0 && <p>No claims yet.</p>}
          {mine.map((claim) => (
            <ClaimCard key={claim.id} claim={claim} />
          ))}
        </>
      )}
      {orgView && (
        <>
          <h3>
            {orgView.kind === "insurer"
              ? `Open claims at ${orgView.org} (payable and unpaid, or disputed)`
              : `Receivables of ${orgView.org} (payable and unpaid)`}
          </h3>
          {open.length === 0 && <p>None.</p>}
          {open.map((claim) => (
            <div key={claim.id}>
              <ClaimCard claim={claim} />
              {orgView.kind === "insurer" && claim.status !== "disputed" && (
                <PayForm claim={claim} busy={action.busy} onPay={pay} />
              )}
            </div>
          ))}
        </>
      )}
      <LookUpForm busy={action.busy} onLookUp={lookUp} />
      <ErrorBox error={action.error} />
      {found && <ClaimCard claim={found} />}
    </section>
  );
}

function Accumulators({ used }: { readonly used: AccumulatorsJson }) {
  const money = (minor: number) => formatMoney(minor, used.currency);
  return (
    <dl class="facts">
      <dt>Deductible met</dt>
      <dd data-testid="deductible-met">
        {money(used.deductibleMet)} of {money(used.deductible)}
      </dd>
      <dt>Out of pocket</dt>
      <dd>
        {money(used.outOfPocketMet)} of {money(used.outOfPocketMax)}
      </dd>
    </dl>
  );
}

function LookUpForm(props: { readonly busy: boolean; readonly onLookUp: (id: string) => void }) {
  const [id, setId] = useState("");
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        props.onLookUp(id.trim());
      }}
    >
      <fieldset>
        <legend>Look up a claim</legend>
        <label for="claim-id">Claim id (32 hex digits)</label>
        <input
          id="claim-id"
          required
          pattern="[0-9a-f]{32}"
          value={id}
          onInput={(e) => setId(e.currentTarget.value)}
        />
        <button type="submit" disabled={props.busy}>
          Look up
        </button>
      </fieldset>
    </form>
  );
}

function PayForm(props: {
  readonly claim: ClaimViewJson;
  readonly busy: boolean;
  readonly onPay: (claim: ClaimViewJson, reference: string) => void;
}) {
  const [reference, setReference] = useState("");
  const { claim } = props;
  const field = `pay-${claim.id}`;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        props.onPay(claim, reference.trim());
      }}
    >
      <label for={field}>Remittance reference for claim {claim.id.slice(0, 12)}…</label>
      <input
        id={field}
        required
        value={reference}
        onInput={(e) => setReference(e.currentTarget.value)}
      />
      <button type="submit" disabled={props.busy}>
        Pay {formatMoney(claim.payable - claim.paid, claim.response.currency)}
      </button>
    </form>
  );
}
