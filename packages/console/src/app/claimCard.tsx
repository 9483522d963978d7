import type { ClaimViewJson } from "@careledger/sdk";
import { formatDay, formatMoney } from "./money.js";

/** Why a line paid nothing, in words (the codes are the contract's LINE_REASONS). */
const LINE_REASON_TEXT: Readonly<Record<string, string>> = {
  ar001: "not covered by the plan",
  "coverage-inactive": "coverage not active on the service date",
  "preauth-missing": "needs a pre-authorization, none given",
  "preauth-denied": "pre-authorization denied",
  duplicate: "duplicate of an earlier claim",
  "late-filing": "filed after the plan's timely-filing limit",
};

/** One claim: what was billed, how each line was adjudicated, what was paid and when. */
export function ClaimCard({ claim }: { readonly claim: ClaimViewJson }) {
  const { response } = claim;
  const money = (minor: number) => formatMoney(minor, response.currency);
  return (
    <article class="claim" data-claim={claim.id} aria-label={`Claim ${claim.id}`}>
      <h4>
        Claim <code>{claim.id.slice(0, 12)}…</code> · {claim.provider} → {claim.insurer}
      </h4>
      <p>
        Service on {formatDay(claim.serviceDate)} · status{" "}
        <strong data-testid="claim-status">{claim.status}</strong>
        {response.outcome === "complete" ? (
          <>
            {" "}
            · decision <strong class={`decision-${response.decision}`}>{response.decision}</strong>
          </>
        ) : (
          <span class="bad"> · not adjudicated: {response.errors.join(", ")}</span>
        )}
      </p>
      {response.outcome === "complete" && (
        <table>
          <caption class="visually-hidden">Adjudication by line</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Billed</th>
              <th scope="col">Allowed</th>
              <th scope="col">You pay</th>
              <th scope="col">Plan pays</th>
            </tr>
          </thead>
          <tbody>
            {response.lines.map((line) => (
              <tr key={line.sequence}>
                <td>
                  {claim.items[line.sequence - 1]?.code ?? line.sequence}
                  {line.reason && <div class="bad">{LINE_REASON_TEXT[line.reason]}</div>}
                </td>
                <td>{money(line.submitted)}</td>
                <td>{money(line.eligible)}</td>
                <td>{money(line.memberShare)}</td>
                <td>{money(line.benefit)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        Payable {money(claim.payable)} · paid{" "}
        <span data-testid="claim-paid">{money(claim.paid)}</span>
        {claim.recoverable > 0 && ` · owed back ${money(claim.recoverable)}`}
      </p>
      <ol class="history">
        {claim.history.map((entry) => (
          <li key={`${entry.at.height}-${entry.status}`}>
            {entry.status}
            {entry.resolution && ` (${entry.resolution})`}
            {entry.reason && ` (${entry.reason})`}
            {entry.amount !== undefined && ` ${money(entry.amount)}`} · block {entry.at.height}
          </li>
        ))}
      </ol>
    </article>
  );
}
