import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ClaimsPage } from "./claims.js";
import { ClinicianView } from "./clinician.js";
import { ErrorBox } from "./errors.js";
import { Explorer, TxPage } from "./explorer.js";
import { PatientPortal } from "./patient.js";
import { PharmacyPage } from "./pharmacy.js";
import { newSession, type Session, sessionOfKeyText } from "./session.js";
import { useTask } from "./useTask.js";

/** The pages, in the navigation's order; a page needing a key says so. */
const PAGES = [
  { path: "explorer", title: "Explorer", needsKey: false },
  { path: "patient", title: "Patient portal", needsKey: true },
  { path: "clinician", title: "Clinician view", needsKey: true },
  { path: "claims", title: "Claims", needsKey: true },
  { path: "pharmacy", title: "Verify a pack", needsKey: false },
] as const;

function useHashPath(): string {
  const read = () => window.location.hash.replace(/^#\/?/, "") || "explorer";
  const [path, setPath] = useState(read);
  useEffect(() => {
    const onChange = () => setPath(read());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return path;
}

function KeyPanel(props: { session: Session | undefined; onSession: (s: Session) => void }) {
  const loading = useTask();
  const load = (file: File) =>
    loading.run(async () => props.onSession(sessionOfKeyText(await file.text())));
  return (
    <section class="key" aria-label="Your key">
      <label for="key-file">Load a key file (hex, JWK or PEM; it never leaves this browser)</label>
      <input
        id="key-file"
        type="file"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (file) load(file);
        }}
      />
      <button type="button" onClick={() => props.onSession(newSession())}>
        Create a key here
      </button>
      {props.session && (
        <p>
          Acting as{" "}
          <code class="wrap" data-testid="session-key">
            {props.session.key}
          </code>
        </p>
      )}
      <ErrorBox error={loading.error} />
    </section>
  );
}

function App() {
  const path = useHashPath();
  const [session, setSession] = useState<Session>();
  const [page, arg] = path.split("/");
  const known = PAGES.find((p) => p.path === page);
  const body = () => {
    if (page === "tx" && arg) return <TxPage id={arg} session={session} />;
    if (known?.needsKey && session === undefined) return <p>Load or create a key first.</p>;
    if (page === "patient" && session) return <PatientPortal session={session} />;
    if (page === "clinician" && session) return <ClinicianView session={session} />;
    if (page === "claims" && session) return <ClaimsPage session={session} />;
    if (page === "pharmacy") {
      const link = arg ? decodeURIComponent(arg) : undefined;
      return <PharmacyPage session={session} link={link} />;
    }
    if (page === "explorer") return <Explorer session={session} />;
    return <p role="alert">No page {path}.</p>;
  };
  return (
    <>
      <header>
        <h1>CareLedger console</h1>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a href={`#/${p.path}`} aria-current={p.path === page ? "page" : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main>
        <KeyPanel session={session} onSession={setSession} />
        {body()}
      </main>
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
