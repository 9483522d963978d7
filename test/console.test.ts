import {
  CareLedgerClient,
  Consents,
  exportSecretKeyHex,
  generateKeyPair,
  type KeyPair,
  keySigner,
  Records,
  type Signer,
} from "@careledger/sdk";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitAllAtHeight } from "./harness/agreement.js";
import { launchBrowser, loadKey, screenshot, WatchedPages } from "./harness/browser.js";
import { devnetAdmin } from "./harness/clients.js";
import { Cluster } from "./harness/cluster.js";

const WAIT_MS_MAX = 60_000;
/** org-0 (a hospital): custodian of the record, employer of the clinician. */
const HOSPITAL = 0;
let cluster: Cluster;
let browser: Browser;
let admin: Signer;
const pages = new WatchedPages(() => browser);

beforeAll(async () => {
  cluster = await Cluster.create(4);
  cluster.startAll();
  [browser] = await Promise.all([
    launchBrowser(),
    waitAllAtHeight(cluster, [0, 1, 2, 3], 1, WAIT_MS_MAX),
  ]);
  admin = await devnetAdmin(cluster.home(HOSPITAL));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await cluster.destroy();
});

// A console error or a failed request on any page fails the test that opened it.
afterEach(async () => {
  expect(await pages.closeAll()).toEqual([]);
});

const openPage = (index: number, hash: string) => pages.goto(`${cluster.url(index)}/#/${hash}`);

/** Registers a fresh key in the hospital with `role`, signed by its admin. */
async function register(role: "patient" | "clinician"): Promise<KeyPair> {
  const keys = generateKeyPair();
  const client = new CareLedgerClient(cluster.url(HOSPITAL), { signer: admin });
  const builder = await client.txBuilder(admin);
  const tx = builder.build(
    "identity.register",
    { key: keys.publicKey, org: "org-0", roles: [role] },
    await client.expiresAfter(100),
  );
  const committed = await client.submitAndWait(tx, { timeoutMs: WAIT_MS_MAX });
  expect(committed.receipt.ok).toBe(true);
  return keys;
}

describe("the web console in a real browser, against a live 4-node devnet", () => {
  it("the explorer shows blocks arriving live, and verifies a transaction's proof in the page", async () => {
    const page = await openPage(1, "explorer");
    const height = Number(await page.getByTestId("height").textContent());
    expect(height).toBeGreaterThanOrEqual(1);
    // A transaction commits a block the page learns of through its event stream.
    await register("patient");
    const arrived = page
      .locator("ol.blocks > li")
      .filter({ has: page.locator("ul") })
      .first();
    await arrived.waitFor({ timeout: WAIT_MS_MAX });
    expect(Number(await arrived.getAttribute("data-height"))).toBeGreaterThan(height);
    await screenshot(page, "explorer", { readme: true });
    await arrived.locator("a").first().click();
    await page.getByRole("button", { name: /Verify the proof/ }).click();
    await expect
      .poll(() => page.getByTestId("proof").textContent(), { timeout: WAIT_MS_MAX })
      .toMatch(/^verified: in block \d+ at index \d+, certified by a quorum of 4 validators$/);
    await screenshot(page, "transaction");
  });

  it("a patient revokes a consent and the clinician's next read is denied; the clinician breaks the glass and the patient sees the flag", async () => {
    const patientKeys = await register("patient");
    const clinicianKeys = await register("clinician");
    const atHospital = (keys: KeyPair) =>
      new CareLedgerClient(cluster.url(HOSPITAL), { signer: keySigner(keys.secretKey) });
    const { id: record } = await new Records(atHospital(clinicianKeys)).upload(
      new TextEncoder().encode("Potassium 4.1 mmol/L"),
      { patient: patientKeys.accountId, class: "lab", custodian: "org-0", timeoutMs: WAIT_MS_MAX },
    );
    const consent = await new Consents(atHospital(patientKeys)).grant(
      { grantee: { key: clinicianKeys.accountId }, actions: ["access"], purposes: ["TREAT"] },
      { timeoutMs: WAIT_MS_MAX },
    );

    const patient = await openPage(HOSPITAL, "patient");
    await loadKey(patient, exportSecretKeyHex(patientKeys.secretKey));
    const row = patient.locator(`tr[data-consent="${consent}"]`);
    await row.getByRole("button", { name: "Revoke" }).click();
    await expect
      .poll(() => row.locator("td").nth(2).textContent(), { timeout: WAIT_MS_MAX })
      .toBe("revoked");
    await screenshot(patient, "patient");

    const clinician = await openPage(HOSPITAL, "clinician");
    await loadKey(clinician, exportSecretKeyHex(clinicianKeys.secretKey));
    await clinician.getByLabel(/Record id/).fill(record);
    await clinician.getByRole("button", { name: "Request access and read" }).click();
    await expect
      .poll(() => clinician.getByRole("alert").textContent(), { timeout: WAIT_MS_MAX })
      .toMatch(/^ACCESS_DENIED: .*no-consent/);
    // Break the glass asks first: the test says yes.
    clinician.once("dialog", (dialog) => dialog.accept());
    await clinician.getByRole("button", { name: "Break the glass" }).click();
    await expect
      .poll(() => clinician.getByTestId("record-content").textContent(), { timeout: WAIT_MS_MAX })
      .toBe("Potassium 4.1 mmol/L");
    expect(await clinician.locator(".flag").textContent()).toMatch(/Emergency access/);
    await screenshot(clinician, "clinician", { readme: true });

    // The key lives in the page's memory only: a reload asks for it again.
    await patient.reload();
    await loadKey(patient, exportSecretKeyHex(patientKeys.secretKey));
    const flagged = patient.locator(".history li.break-glass");
    await flagged.waitFor({ timeout: WAIT_MS_MAX });
    expect(await flagged.textContent()).toContain(clinicianKeys.accountId.slice(0, 16));
    await screenshot(patient, "patient-history", { readme: true });
  });
});
