import { describe, expect, it } from "vitest";
import { memoryNode } from "../memoryNode.testkit.js";
import { buildApiServer } from "../server.js";
import { CONSOLE_SCRIPT_PATH, CONSOLE_STYLES_PATH, type ConsoleFiles } from "./console.js";

/** What the console package's bundler gives (the browser tests serve the real bundle). */
const FILES: ConsoleFiles = {
  html: '<!doctype html><script type="module" src="/console/app.js"></script>',
  script: 'console.log("console");',
  styles: "body { margin: 0; }",
};

const POLICY = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The api with a console builder that counts its builds and fails while `failing` says so. */
async function serve(failing: () => boolean = () => false) {
  let builds = 0;
  const build = async () => {
    builds++;
    if (failing()) throw new Error("esbuild: cannot resolve preact");
    return FILES;
  };
  const app = await buildApiServer(memoryNode(), { console: build });
  return { app, builds: () => builds };
}

describe("the console's routes", () => {
  it("serves the page, script and stylesheet with their types and the strict CSP", async () => {
    const { app } = await serve();
    const served = [
      ["/", "text/html; charset=utf-8", FILES.html],
      [CONSOLE_SCRIPT_PATH, "text/javascript; charset=utf-8", FILES.script],
      [CONSOLE_STYLES_PATH, "text/css; charset=utf-8", FILES.styles],
    ] as const;
    for (const [url, type, body] of served) {
      const answer = await app.inject({ method: "GET", url });
      expect(answer.statusCode, url).toBe(200);
      expect(answer.body, url).toBe(body);
      expect(answer.headers, url).toMatchObject({
        "content-type": type,
        "content-security-policy": POLICY,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "cache-control": "no-cache",
      });
    }
  });

  it("answers NOT_FOUND for any other asset or method, never the page", async () => {
    const { app } = await serve();
    const unknown = [
      ["GET", "/console/app.js.map"],
      ["GET", "/console/other.js"],
      ["GET", "/console/"],
      ["GET", "/console/app.css/x"],
      ["GET", "/index.html"],
      ["POST", "/"],
    ] as const;
    for (const [method, url] of unknown) {
      const answer = await app.inject({ method, url });
      expect(answer.statusCode, `${method} ${url}`).toBe(404);
      expect(answer.headers["content-type"]).toContain("application/json");
      expect(answer.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    }
  });

  it("builds once for every request, and again after a failed build", async () => {
    let failing = true;
    const { app, builds } = await serve(() => failing);
    const failed = await app.inject({ method: "GET", url: "/" });
    expect(failed.statusCode).toBe(500);
    // The bundler's words stay in the node's log: the answer is the one INTERNAL error.
    expect(failed.json()).toMatchObject({ error: { code: "INTERNAL" } });
    expect(failed.body).not.toContain("esbuild");
    failing = false;
    for (const url of ["/", CONSOLE_SCRIPT_PATH, CONSOLE_STYLES_PATH, "/"]) {
      expect((await app.inject({ method: "GET", url })).statusCode).toBe(200);
    }
    expect(builds()).toBe(2);
  });

  it("leaves / NOT_FOUND on a server built without a console", async () => {
    const app = await buildApiServer(memoryNode());
    const answer = await app.inject({ method: "GET", url: "/" });
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});
