import type { FastifyPluginAsync, FastifyReply } from "fastify";

/** The web console's files, built by the console package (its bundler stays out of the API). */
export interface ConsoleFiles {
  readonly html: string;
  readonly script: string;
  readonly styles: string;
}

/** Builds the console once, at the first request; later requests get the same files. */
export type ConsoleBuilder = () => Promise<ConsoleFiles>;

/** Where the page finds its script and styles (absolute: `/` is the page). */
export const CONSOLE_SCRIPT_PATH = "/console/app.js";
export const CONSOLE_STYLES_PATH = "/console/app.css";

/**
 * Strict: the page loads only its own script and styles and talks only to this node; no inline
 * script, no frame, no plugin. Images are data URLs (none are fetched). One allowance:
 * 'unsafe-eval', because the protocol's and the SDK's answer checkers are TypeBox's compiled
 * ones (`TypeCompiler.Compile` builds them with `new Function`); no inline or foreign script
 * runs either way.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

/** Serves the console's page at `/` and its two files; hidden from the OpenAPI document. */
export function consoleRoutes(build: ConsoleBuilder): FastifyPluginAsync {
  let files: Promise<ConsoleFiles> | undefined;
  // A failed build is not kept: the next request tries again (and reports its own error).
  const built = (): Promise<ConsoleFiles> => {
    files ??= build().catch((error: unknown) => {
      files = undefined;
      throw error;
    });
    return files;
  };
  return async (app) => {
    const serve = (type: string, pick: (files: ConsoleFiles) => string) => ({
      schema: { hide: true },
      handler: async (_request: unknown, reply: FastifyReply) =>
        reply.headers({ ...SECURITY_HEADERS, "content-type": type }).send(pick(await built())),
    });
    app.get(
      "/",
      serve("text/html; charset=utf-8", (f) => f.html),
    );
    app.get(
      CONSOLE_SCRIPT_PATH,
      serve("text/javascript; charset=utf-8", (f) => f.script),
    );
    app.get(
      CONSOLE_STYLES_PATH,
      serve("text/css; charset=utf-8", (f) => f.styles),
    );
  };
}
