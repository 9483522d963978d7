import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DEMO_KEY_HOLDERS,
  demoKeyFileOf,
  RECALLED_LINK_LINE,
  SEEDED_LINE,
} from "@careledger/node/demo";
import { DEVNET_ORG } from "@careledger/node/devnet";
import {
  CareLedgerClient,
  Claims,
  Coverages,
  importSecretKeyJwk,
  keySigner,
} from "@careledger/sdk";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loadKey, screenshot, WatchedPages } from "./harness/browser.js";
import { freePortRange } from "./harness/cluster.js";
import { DevnetProcess } from "./harness/devnetProcess.js";

/** Four nodes starting on a loaded 2-core machine, then some forty seed transactions. */
const SEED_WAIT_MS = 150_000;
const WAIT_MS_MAX = 60_000;
const DAY_MS = 86_400_000;

let browser: Browser;
let devnet: DevnetProcess;
let dir: string;
/** Node 0, the node the seed prints its links for. */
let url: string;
const pages = new WatchedPages(() => browser);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "careledger-console-demo-"));
  const apiPort = await freePortRange(8);
  devnet = new DevnetProcess([
    ...["--dir", dir, "--api-port", `${apiPort}`, "--p2p-port", `${apiPort + 4}`],
  ]);
  url = `http://127.0.0.1:${apiPort}`;
  [browser] = await Promise.all([launchBrowser(), devnet.waitForLine(SEEDED_LINE, SEED_WAIT_MS)]);
}, SEED_WAIT_MS + 30_000);

afterAll(async () => {
  await browser?.close();
  await devnet?.stop();
  await rm(dir, { recursive: true, force: true });
});

// A console error or a failed request on any page fails the test that opened it.
afterEach(async (context) => {
  if (context.task.result?.state === "fail") console.error(devnet.tail(40));
  expect(await pages.closeAll()).toEqual([]);
});

type Holder = (typeof DEMO_KEY_HOLDERS)[number];
const keyFile = (holder: Holder) => readFile(demoKeyFileOf(dir, holder), "utf8");
const clientOf = async (holder: Holder) =>
  new CareLedgerClient(url, {
    signer: keySigner(importSecretKeyJwk(JSON.parse(await keyFile(holder)))),
  });

/** The console at `hash`, as `holder` after loading its demo key file (none: anonymous). */
async function openAs(holder: Holder | undefined, hash: string): Promise<Page> {
  const page = await pages.goto(`${url}/#/${hash}`);
  if (holder !== undefined) await loadKey(page, await keyFile(holder));
  return page;
}

describe("the console's claims and pharmacist pages on a seeded demo devnet", () => {
  it("a member sees its coverage and adjudicated claims; the provider sees a new claim as receivable, and the insurer's agent pays it", async () => {
    const member = await openAs("member", "claims");
    await member.getByTestId("coverage").waitFor({ timeout: WAIT_MS_MAX });
    expect(await member.getByTestId("coverage").textContent()).toMatch(
      new RegExp(`^meridian-gold-\\d{4} at ${DEVNET_ORG.insurer}`),
    );
    // The seed's two claims: an office visit and a blood count, and the disputed brain MRI.
    const claims = member.locator("article.claim");
    await expect.poll(() => claims.count(), { timeout: WAIT_MS_MAX }).toBe(2);
    expect(await claims.getByTestId("claim-status").allTextContents()).toEqual(["paid", "paid"]);
    const mri = claims.filter({ hasText: "70553" });
    // Denied for want of a pre-authorization, disputed, adjusted by the insurer, then paid.
    expect(await mri.locator(".history li").allTextContents()).toEqual([
      expect.stringMatching(/^adjudicated · block \d+$/),
      expect.stringMatching(/^disputed \(preauth-on-file\) · block \d+$/),
      expect.stringMatching(/^adjudicated \(adjusted\) \$1,400\.00 · block \d+$/),
      expect.stringMatching(/^paid \$1,400\.00 · block \d+$/),
    ]);
    expect(await member.getByTestId("deductible-met").textContent()).toMatch(
      /^\$[\d,.]+ of \$500\.00$/,
    );
    await screenshot(member, "claims-member", { readme: true });

    // The hospital's clinician files a claim the insurer has not paid yet.
    const memberKey = (await clientOf("member")).signer?.publicKey;
    if (memberKey === undefined) throw new Error("the member client has no signer");
    const [coverage] = (await new Coverages(await clientOf("member")).ofMember()).items;
    if (coverage === undefined) throw new Error("the demo member has no coverage");
    const provider = await clientOf("clinician");
    const { id } = await new Claims(provider).submit(
      {
        provider: DEVNET_ORG.hospital,
        coverage: coverage.id,
        member: memberKey,
        type: "professional",
        serviceDate: (await provider.getBlock("latest")).header.time - DAY_MS,
        items: [{ code: "99213", quantity: 1, unitPrice: 15_000 }],
      },
      { timeoutMs: WAIT_MS_MAX },
    );

    const clinician = await openAs("clinician", "claims");
    await clinician.locator(`article[data-claim="${id}"]`).waitFor({ timeout: WAIT_MS_MAX });
    expect(await clinician.getByRole("heading", { name: /^Receivables of / }).count()).toBe(1);

    const insurer = await openAs("insurerAgent", "claims");
    const open = insurer.locator(`article[data-claim="${id}"]`);
    await open.waitFor({ timeout: WAIT_MS_MAX });
    await insurer.getByLabel(/Remittance reference for claim/).fill("EFT 2026-12-02 000417");
    await screenshot(insurer, "claims-insurer");
    await insurer.getByRole("button", { name: /^Pay \$/ }).click();
    // Paid, it leaves the open list; looked up, it says so.
    await open.waitFor({ state: "detached", timeout: WAIT_MS_MAX });
    await insurer.getByLabel(/Claim id/).fill(id);
    await insurer.getByRole("button", { name: "Look up" }).click();
    const found = insurer.locator(`article[data-claim="${id}"]`);
    await found.waitFor({ timeout: WAIT_MS_MAX });
    expect(await found.getByTestId("claim-status").textContent()).toBe("paid");
    expect(await found.getByTestId("claim-paid").textContent()).toBe("$95.00");
  });

  it("a recalled pack's scanned link shows the recall in red; the pharmacist dispenses a sound pack and sees it dispensed", async () => {
    const recalledLine = devnet.lines.find((line) => line.startsWith(RECALLED_LINK_LINE));
    const recalledLink = recalledLine?.slice(RECALLED_LINK_LINE.length).trim() ?? "";
    expect(recalledLink.startsWith(`${url}/01/`)).toBe(true);
    // What a scanner app opens: the console's page with the link in its address, no key.
    const scanned = await openAs(undefined, `pharmacy/${encodeURIComponent(recalledLink)}`);
    await scanned.getByTestId("warning").waitFor({ timeout: WAIT_MS_MAX });
    expect(await scanned.getByTestId("warning").textContent()).toBe("RECALLED: do not dispense");
    expect(await scanned.locator(".verdict.ok").textContent()).toBe("Verified");
    expect(await scanned.getByRole("button", { name: "Dispense this pack" }).count()).toBe(0);
    await screenshot(scanned, "pharmacy-recalled", { readme: true });

    // A pack of the lot the pharmacy received (SN10001 is dispensed, SN10006 suspect).
    const gtin = /\/01\/(\d{14})\//.exec(recalledLink)?.[1] ?? "";
    const pharmacist = await openAs("pharmacist", "pharmacy");
    await pharmacist.getByLabel(/^GTIN/).fill(gtin);
    await pharmacist.getByLabel("Serial number").fill("SN10002");
    await pharmacist.getByRole("button", { name: "Verify" }).nth(1).click();
    const status = pharmacist.getByTestId("pack-status");
    await expect.poll(() => status.textContent(), { timeout: WAIT_MS_MAX }).toBe("active");
    expect(await pharmacist.locator(".timeline li").count()).toBeGreaterThanOrEqual(3);
    await screenshot(pharmacist, "pharmacy-verified");
    await pharmacist.getByRole("button", { name: "Dispense this pack" }).click();
    await expect.poll(() => status.textContent(), { timeout: WAIT_MS_MAX }).toBe("dispensed");
    expect(await pharmacist.locator(".timeline li").last().textContent()).toMatch(/^dispense by /);

    await pharmacist.getByLabel("Serial number").fill("SN10006");
    await pharmacist.getByRole("button", { name: "Verify" }).nth(1).click();
    await pharmacist.getByTestId("warning").waitFor({ timeout: WAIT_MS_MAX });
    expect(await pharmacist.getByTestId("warning").textContent()).toBe("SUSPECT: do not dispense");
  });
});
