import {
  Access,
  type AccessEntryJson,
  Consents,
  type ConsentViewJson,
  type PurposeCode,
  Records,
  type RecordViewJson,
} from "@careledger/sdk";
import { useEffect, useState } from "preact/hooks";
import { ErrorBox } from "./errors.js";
import type { Session } from "./session.js";
import { useTask } from "./useTask.js";

/** The patient portal: my consents (grant, revoke), who read my records, my records (forget). */
export function PatientPortal({ session }: { readonly session: Session }) {
  const consents = new Consents(session.client);
  const access = new Access(session.client);
  const records = new Records(session.client);
  const [mine, setMine] = useState<readonly ConsentViewJson[]>([]);
  const [history, setHistory] = useState<readonly AccessEntryJson[]>([]);
  const [owned, setOwned] = useState<readonly RecordViewJson[]>([]);
  const load = useTask();
  const action = useTask();
  const fetchAll = async () => {
    setMine((await consents.list()).items);
    setHistory((await access.history()).items);
    setOwned((await records.ofPatient()).items);
  };
  useEffect(() => load.run(fetchAll), [session.key]);
  const act = (work: () => Promise<unknown>) =>
    action.run(async () => {
      await work();
      await fetchAll();
    });

  return (
    <section aria-labelledby="patient-title">
      <h2 id="patient-title">Patient portal</h2>
      <ErrorBox error={load.error} />
      <ErrorBox error={action.error} />
      <h3>My consents</h3>
      <table>
        <caption class="visually-hidden">Consents I granted</caption>
        <thead>
          <tr>
            <th scope="col">To</th>
            <th scope="col">Purposes</th>
            <th scope="col">Status</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {mine.map((consent) => (
            <tr key={consent.id} data-consent={consent.id}>
              <td>
                <code>
                  {"key" in consent.grantee
                    ? `${consent.grantee.key.slice(0, 16)}…`
                    : consent.grantee.org}
                </code>
              </td>
              <td>{consent.purposes.join(", ")}</td>
              <td>{consent.revoked ? "revoked" : consent.status}</td>
              <td>
                {consent.status === "active" && (
                  <button
                    type="button"
                    disabled={action.busy}
                    onClick={() => act(() => consents.revoke(consent.id))}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <GrantForm
        busy={action.busy}
        onGrant={(key, purpose) =>
          act(() => consents.grant({ grantee: { key }, actions: ["access"], purposes: [purpose] }))
        }
      />
      <h3>Who accessed my records</h3>
      <ul class="history">
        {history.map((entry) => (
          <li key={entry.access} class={entry.breakGlass ? "break-glass" : undefined}>
            {entry.breakGlass && <strong class="flag">Emergency access (break the glass)</strong>}{" "}
            <code>{entry.accessor.slice(0, 16)}…</code> {entry.accessorOrg ?? ""} · {entry.purpose}{" "}
            · {entry.decision} ({entry.reason}) · record <code>{entry.record.slice(0, 8)}</code> ·
            block {entry.height}
          </li>
        ))}
      </ul>
      <h3>My records</h3>
      <ul>
        {owned.map((record) => (
          <li key={record.id}>
            <code>{record.id.slice(0, 16)}…</code> {record.class} at {record.custodian} ·{" "}
            {record.status}{" "}
            {record.status === "active" && (
              <button
                type="button"
                disabled={action.busy}
                onClick={() => act(() => records.forget(record.id))}
              >
                Forget
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function GrantForm(props: {
  readonly busy: boolean;
  readonly onGrant: (key: string, purpose: PurposeCode) => void;
}) {
  const [key, setKey] = useState("");
  const [purpose, setPurpose] = useState<PurposeCode>("TREAT");
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        props.onGrant(key.trim(), purpose);
      }}
    >
      <fieldset>
        <legend>Grant access</legend>
        <label for="grant-key">Clinician's public key (64 hex digits)</label>
        <input
          id="grant-key"
          required
          pattern="[0-9a-f]{64}"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <label for="grant-purpose">Purpose</label>
        <select
          id="grant-purpose"
          value={purpose}
          onChange={(e) => setPurpose(e.currentTarget.value as PurposeCode)}
        >
          <option value="TREAT">TREAT (treatment)</option>
          <option value="ETREAT">ETREAT (emergency treatment)</option>
          <option value="HPAYMT">HPAYMT (payment)</option>
        </select>
        <button type="submit" disabled={props.busy}>
          Grant
        </button>
      </fieldset>
    </form>
  );
}
