import { formatDigitalLink, parseDigitalLink } from "@careledger/gs1";
import {
  type CheckedVerificationAnswer,
  Provenance,
  type ProvenanceEventJson,
} from "@careledger/sdk";
import { useEffect, useState } from "preact/hooks";
import { ErrorBox } from "./errors.js";
import { formatDay } from "./money.js";
import { NODE_URL, publicClient, type Session } from "./session.js";
import { useTask } from "./useTask.js";

/** A pack as its link names it, and what the node answered of it. */
interface Checked {
  readonly link: string;
  readonly gtin: string;
  readonly serial: string;
  readonly answer: CheckedVerificationAnswer;
  /** For a trading partner or regulator: the pack's events, oldest first. */
  readonly history: readonly ProvenanceEventJson[];
  /** The caller's pharmacy, when the caller is a pharmacist of the pack's custodian. */
  readonly dispenser: string | undefined;
}

/** The pack a link names (GTIN and serial are what a verification needs); a bare path is ours. */
function packOf(link: string): { gtin: string; serial: string } {
  const parsed = parseDigitalLink(link.startsWith("/") ? `${NODE_URL}${link}` : link);
  if (!parsed.ok) throw new Error(`${parsed.error.code}: ${parsed.error.message}`);
  const { gtin, serial } = parsed.value;
  if (gtin === undefined || serial === undefined) {
    throw new Error("The link names no GTIN and serial (AI 01 and 21): it names no pack.");
  }
  return { gtin, serial };
}

/**
 * The pharmacist's and wholesaler's page: a scanned or typed GS1 Digital Link (or a GTIN and
 * serial) verified by this node as a DSCSA verification responder. The answer is public; signed
 * by a trading partner's key it carries the custodian, and the page shows the pack's history.
 * The custodian pharmacy dispenses a sound pack here. `#/pharmacy/<link, URI-encoded>` opens a
 * link directly (what a scanner app's URL does).
 */
export function PharmacyPage(props: {
  readonly session: Session | undefined;
  readonly link: string | undefined;
}) {
  const { session } = props;
  const provenance = new Provenance(session?.client ?? publicClient);
  const [checked, setChecked] = useState<Checked>();
  const task = useTask();
  const check = (link: string) =>
    task.run(async () => {
      setChecked(undefined);
      const pack = packOf(link);
      const answer = await provenance.verify(link, {
        signed: session !== undefined,
        corrUUID: crypto.randomUUID(),
      });
      const custodian = answer["careledger:custodian"];
      if (session === undefined || custodian === undefined) {
        setChecked({ link, ...pack, answer, history: [], dispenser: undefined });
        return;
      }
      const history = (await provenance.history(pack.gtin, pack.serial)).items;
      const { identity } = await session.client.query("identity.key", { key: session.key });
      const dispenser =
        identity?.org === custodian && identity.roles.includes("pharmacist")
          ? custodian
          : undefined;
      setChecked({ link, ...pack, answer, history, dispenser });
    });
  useEffect(() => {
    if (props.link) check(props.link);
  }, [props.link, session?.key]);
  const dispense = (pack: Checked, org: string) =>
    task.run(async () => {
      await provenance.dispense({ org, packs: [{ gtin: pack.gtin, serials: [pack.serial] }] });
      check(pack.link);
    });

  return (
    <section aria-labelledby="pharmacy-title">
      <h2 id="pharmacy-title">Verify a pack</h2>
      {/* The answer first: on a phone, a scanned link's verdict must not sit below the fold. */}
      <ErrorBox error={task.error} />
      {checked && <Verdict checked={checked} busy={task.busy} onDispense={dispense} />}
      <LinkForm busy={task.busy} onCheck={check} />
    </section>
  );
}

function LinkForm(props: { readonly busy: boolean; readonly onCheck: (link: string) => void }) {
  const [link, setLink] = useState("");
  const [gtin, setGtin] = useState("");
  const [serial, setSerial] = useState("");
  return (
    <>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          props.onCheck(link.trim());
        }}
      >
        <fieldset>
          <legend>Scan or paste a Digital Link</legend>
          <label for="digital-link">Digital Link (https://…/01/…/21/…, or /01/…)</label>
          <input
            id="digital-link"
            required
            value={link}
            onInput={(e) => setLink(e.currentTarget.value)}
          />
          <button type="submit" disabled={props.busy}>
            Verify
          </button>
        </fieldset>
      </form>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          props.onCheck(formatDigitalLink({ gtin: gtin.trim(), serial: serial.trim() }, NODE_URL));
        }}
      >
        <fieldset>
          <legend>Or type the pack's GTIN and serial</legend>
          <label for="pack-gtin">GTIN (8, 12, 13 or 14 digits)</label>
          <input
            id="pack-gtin"
            required
            pattern="[0-9]{8}|[0-9]{12,14}"
            value={gtin}
            onInput={(e) => setGtin(e.currentTarget.value)}
          />
          <label for="pack-serial">Serial number</label>
          <input
            id="pack-serial"
            required
            value={serial}
            onInput={(e) => setSerial(e.currentTarget.value)}
          />
          <button type="submit" disabled={props.busy}>
            Verify
          </button>
        </fieldset>
      </form>
    </>
  );
}

function Verdict(props: {
  readonly checked: Checked;
  readonly busy: boolean;
  readonly onDispense: (pack: Checked, org: string) => void;
}) {
  const { answer, history, dispenser } = props.checked;
  const { data } = answer;
  const status = answer["careledger:status"];
  const custodian = answer["careledger:custodian"];
  // Recalled and suspect packs must not be dispensed: say so first, above the verification.
  const warning = status?.recalled ? "RECALLED" : status?.suspect ? "SUSPECT" : undefined;
  const sound = data.verified && warning === undefined && status?.status === "active";
  return (
    <div role="status" data-testid="verdict">
      {warning && (
        <p class="verdict alarm" data-testid="warning">
          {warning}: do not dispense
        </p>
      )}
      <p class={data.verified ? "verdict ok" : "verdict bad"}>
        {data.verified ? "Verified" : "Not verified"}
        {data.verificationFailureReason && `: ${data.verificationFailureReason}`}
      </p>
      <dl class="facts">
        {data.additionalInfo && (
          <>
            <dt>Additional information</dt>
            <dd>{data.additionalInfo}</dd>
          </>
        )}
        {status && (
          <>
            <dt>Pack status</dt>
            <dd data-testid="pack-status">{status.status}</dd>
            {status.expired && <dd class="bad">Expired</dd>}
          </>
        )}
        {custodian && (
          <>
            <dt>Custodian</dt>
            <dd>{custodian}</dd>
          </>
        )}
        <dt>Answered</dt>
        <dd>
          {answer.verificationTimestamp}
          {answer.responderGLN && ` by GLN ${answer.responderGLN}`}
        </dd>
      </dl>
      {sound && dispenser && (
        <button
          type="button"
          disabled={props.busy}
          onClick={() => props.onDispense(props.checked, dispenser)}
        >
          Dispense this pack
        </button>
      )}
      {history.length > 0 && (
        <>
          <h3>History</h3>
          <ol class="timeline">
            {history.map((event) => (
              <li key={`${event.tx}-${event.index}`}>
                <strong>{event.kind}</strong> by {event.org}
                {event.to && ` to ${event.to}`} · {formatDay(event.at.time)} · block{" "}
                {event.at.height}
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
