import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

/** The Debian `chromium` package (`.ci/run` installs it): no browser is downloaded. */
const CHROMIUM = process.env.CARELEDGER_CHROMIUM ?? "/usr/bin/chromium";
/** Gitignored: screenshots of each page, for a human to look at after a run. */
export const SCREENSHOTS_DIR = join(import.meta.dirname, "..", ".screenshots");
/**
 * The README's screenshots (committed), written again only when asked: `pnpm
 * console:screenshots` sets CARELEDGER_CONSOLE_DOCS=1, so an ordinary test run leaves them be.
 */
const README_SHOTS_DIR =
  process.env.CARELEDGER_CONSOLE_DOCS === "1"
    ? join(import.meta.dirname, "..", "..", "packages", "console", "docs")
    : undefined;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

/** A page that remembers every console error, page error and failed request it meets. */
export interface WatchedPage {
  readonly page: Page;
  readonly problems: string[];
}

export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  // A phone-sized viewport: the console must stay readable there.
  const page = await browser.newPage({ viewport: { width: 412, height: 900 } });
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "";
    // The page closes its own event stream when it leaves a page: that abort is no failure.
    if (reason === "net::ERR_ABORTED" && new URL(request.url()).pathname === "/v1/events") return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${reason}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) {
      problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    }
  });
  return { page, problems };
}

/** A full-page screenshot `name`.png; `readme` ones also go to the console's docs when asked. */
export async function screenshot(
  page: Page,
  name: string,
  options: { readonly readme?: boolean } = {},
): Promise<void> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const file = join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (options.readme && README_SHOTS_DIR !== undefined) {
    await mkdir(README_SHOTS_DIR, { recursive: true });
    await copyFile(file, join(README_SHOTS_DIR, `${name}.png`));
  }
}

/** Loads a key into the page's key panel as a key file (hex, JWK or PEM), as a user would. */
export async function loadKey(page: Page, keyText: string): Promise<void> {
  await page.getByLabel(/Load a key file/).setInputFiles({
    name: "key.txt",
    mimeType: "text/plain",
    buffer: Buffer.from(keyText.endsWith("\n") ? keyText : `${keyText}\n`),
  });
}

/**
 * The pages a test opens: each watched; `closeAll` (after each test) closes them and returns
 * what went wrong on any, so a console error or a failed request fails the test that met it.
 */
export class WatchedPages {
  private readonly open: WatchedPage[] = [];

  constructor(private readonly browser: () => Browser) {}

  async goto(url: string): Promise<Page> {
    const watched = await watchedPage(this.browser());
    this.open.push(watched);
    await watched.page.goto(url);
    return watched.page;
  }

  async closeAll(): Promise<string[]> {
    const problems = this.open.flatMap((watched) => watched.problems);
    await Promise.all(this.open.splice(0).map((watched) => watched.page.close()));
    return problems;
  }
}
