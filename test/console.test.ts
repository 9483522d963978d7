import { CareLedgerClient, generateKeyPair, type KeyPair, type Signer } from "@careledger/sdk";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitAllAtHeight } from "./harness/agreement.js";
import { launchBrowser, screenshot, type WatchedPage, watchedPage } from "./harness/browser.js";
import { devnetAdmin } from "./harness/clients.js";
import { Cluster } from "./harness/cluster.js";

const WAIT_MS_MAX = 60_000;
/** org-0 (a hospital): custodian of the record, employer of the clinician. */
const HOSPITAL = 0;
let cluster: Cluster;
let browser: Browser;
let admin: Signer;
const pages: WatchedPage[] = [];

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
  const problems = pages.flatMap((watched) => watched.problems);
  await Promise.all(pages.splice(0).map((watched) => watched.page.close()));
  expect(problems).toEqual([]);
});

async function openPage(index: number, hash: string): Promise<WatchedPage> {
  const watched = await watchedPage(browser);
  pages.push(watched);
  await watched.page.goto(`${cluster.url(index)}/#/${hash}`);
  return watched;
}

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
    const { page } = await openPage(1, "explorer");
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
    await screenshot(page, "explorer");
    await arrived.locator("a").first().click();
    await page.getByRole("button", { name: /Verify the proof/ }).click();
    await expect
      .poll(() => page.getByTestId("proof").textContent(), { timeout: WAIT_MS_MAX })
      .toMatch(/^verified: in block \d+ at index \d+, certified by a quorum of 4 validators$/);
    await screenshot(page, "transaction");
  });
});
