import { Consents, type ConsentViewJson, Records } from "@careledger/sdk";
import { useEffect, useState } from "preact/hooks";
import { ErrorBox } from "./errors.js";
import type { Session } from "./session.js";
import { useTask } from "./useTask.js";

/** What a read answered: the decision, and the content when permitted. */
interface ReadOutcome {
  readonly record: string;
  readonly breakGlass: boolean;
  readonly content: string;
}

/**
 * The clinician view: patients who granted me access; a read logs `access.log` first (the
 * records helper), and break the glass is the same read for ETREAT, after a confirmation.
 */
export function ClinicianView({ session }: { readonly session: Session }) {
  const consents = new Consents(session.client);
  const records = new Records(session.client);
  const [granted, setGranted] = useState<readonly ConsentViewJson[]>([]);
  const [record, setRecord] = useState("");
  const [outcome, setOutcome] = useState<ReadOutcome>();
  const load = useTask();
  const read = useTask();
  useEffect(() => load.run(async () => setGranted((await consents.toKey()).items)), [session.key]);
  const readAs = (emergency: boolean) =>
    read.run(async () => {
      setOutcome(undefined);
      const id = record.trim();
      const result = await records.read(id, { purpose: emergency ? "ETREAT" : "TREAT" });
      setOutcome({
        record: id,
        breakGlass: result.decision.breakGlass,
        content: new TextDecoder().decode(result.content),
      });
    });
  const breakGlass = () => {
    // A real emergency access is reviewed by the organization: make the clinician say so.
    if (window.confirm("Break the glass? This emergency access is flagged and reviewed.")) {
      readAs(true);
    }
  };
  return (
    <section aria-labelledby="clinician-title">
      <h2 id="clinician-title">Clinician view</h2>
      <ErrorBox error={load.error} />
      <h3>Patients who granted me access</h3>
      <ul>
        {granted.map((consent) => (
          <li key={consent.id}>
            <code>{consent.patient.slice(0, 16)}…</code> · {consent.purposes.join(", ")} ·{" "}
            {consent.status}
          </li>
        ))}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          readAs(false);
        }}
      >
        <fieldset>
          <legend>Read a record</legend>
          <label for="record-id">Record id (32 hex digits)</label>
          <input
            id="record-id"
            required
            pattern="[0-9a-f]{32}"
            value={record}
            onInput={(e) => setRecord(e.currentTarget.value)}
          />
          <button type="submit" disabled={read.busy}>
            Request access and read
          </button>
          <button
            type="button"
            class="danger"
            disabled={read.busy || record === ""}
            onClick={breakGlass}
          >
            Break the glass
          </button>
        </fieldset>
      </form>
      <ErrorBox error={read.error} />
      {outcome && (
        <div role="status">
          {outcome.breakGlass && <p class="flag">Emergency access: flagged for review</p>}
          <pre data-testid="record-content">{outcome.content}</pre>
        </div>
      )}
    </section>
  );
}
