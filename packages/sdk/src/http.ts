import { CareLedgerError } from "@careledger/protocol";
import { errorFromResponse, localError, transportError } from "./errors.js";

/** How the client talks HTTP: per-attempt timeout, bounded retries with jittered backoff. */
export interface HttpOptions {
  /** Each attempt (answer and body) is cut off after this long. */
  readonly timeoutMs: number;
  /** Further attempts after a retryable failure (network, timeout, 429, 502, 503, 504). */
  readonly retries: number;
  /** Backoff before the first retry; it doubles on each further one. */
  readonly retryDelayMs: number;
  readonly retryDelayMsMax: number;
  /** Largest answer body read; a node cannot make the client buffer without bound. */
  readonly responseBytesMax: number;
  /** Headers sent with every request (an API key at a gateway, say). */
  readonly headers: Readonly<Record<string, string>>;
  /** The fetch to use; the platform's by default. */
  readonly fetch: typeof fetch;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  timeoutMs: 10_000,
  retries: 3,
  retryDelayMs: 100,
  retryDelayMsMax: 2_000,
  responseBytesMax: 32 * 1024 * 1024,
  headers: {},
  fetch: (input, init) => globalThis.fetch(input, init),
};

/** Statuses that say "try again later", not "this request is wrong". */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** Headers made anew for every attempt: a signed read signs each attempt, never replays one. */
  readonly attemptHeaders?: () => Readonly<Record<string, string>>;
}

export interface HttpAnswer {
  readonly status: number;
  readonly value: unknown;
  /** How many attempts it took; a retried submit may meet its own earlier success. */
  readonly attempts: number;
}

/** Sends a request, retrying what can be retried; a non-2xx answer throws its CareLedgerError. */
export async function requestJson(
  baseUrl: string,
  options: HttpOptions,
  request: HttpRequest,
): Promise<HttpAnswer> {
  const answer = await requestBytes(baseUrl, options, request, "application/json");
  return {
    status: answer.status,
    value: parseBody(new TextDecoder().decode(answer.bytes)),
    attempts: answer.attempts,
  };
}

export interface HttpBytesAnswer {
  readonly status: number;
  /** The body as received, at most `responseBytesMax` bytes. */
  readonly bytes: Uint8Array;
  readonly contentType: string | null;
  /** The `Link` header (the EPCIS REST binding's next page), if any. */
  readonly link: string | null;
  readonly attempts: number;
}

/**
 * Sends a request asking for `accept` and returns the body's bytes as they came (a record's
 * content); retries and errors as `requestJson`, whose error bodies are JSON whatever was asked.
 */
export async function requestBytes(
  baseUrl: string,
  options: HttpOptions,
  request: HttpRequest,
  accept: string,
): Promise<HttpBytesAnswer> {
  for (let attempt = 1; ; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const { status, bytes, retryAfter, contentType, link } = await attemptOnce(
        baseUrl,
        options,
        request,
        accept,
      );
      if (status >= 200 && status < 300)
        return { status, bytes, contentType, link, attempts: attempt };
      const error = errorFromResponse(status, new TextDecoder().decode(bytes), attempt);
      if (!RETRYABLE_STATUSES.has(status) || attempt > options.retries) throw error;
      retryAfterMs = retryAfterMsOf(retryAfter);
    } catch (error) {
      if (!isRetryableFailure(error) || attempt > options.retries) throw error;
    }
    const backoff = Math.min(options.retryDelayMsMax, options.retryDelayMs * 2 ** (attempt - 1));
    // Jitter spreads the retries of many clients that failed together.
    const delay = retryAfterMs ?? backoff * (0.5 + Math.random() / 2);
    await sleep(Math.min(delay, options.retryDelayMsMax), request.signal);
  }
}

interface Attempt {
  readonly status: number;
  readonly bytes: Uint8Array;
  readonly retryAfter: string | null;
  readonly contentType: string | null;
  readonly link: string | null;
}

async function attemptOnce(
  baseUrl: string,
  options: HttpOptions,
  request: HttpRequest,
  accept: string,
): Promise<Attempt> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const forwardAbort = () => controller.abort();
  request.signal?.addEventListener("abort", forwardAbort);
  try {
    if (request.signal?.aborted) throw localError("aborted", "request aborted by the caller");
    const headers: Record<string, string> = {
      accept,
      ...options.headers,
      ...request.attemptHeaders?.(),
    };
    if (request.contentType !== undefined) headers["content-type"] = request.contentType;
    const response = await options.fetch(routeUrl(baseUrl, request.path), {
      method: request.method,
      headers,
      body: request.body,
      signal: controller.signal,
    });
    return {
      status: response.status,
      bytes: await readBytes(response, options.responseBytesMax),
      retryAfter: response.headers.get("retry-after"),
      contentType: response.headers.get("content-type"),
      link: response.headers.get("link"),
    };
  } catch (error) {
    if (error instanceof CareLedgerError) throw error;
    if (request.signal?.aborted) throw localError("aborted", "request aborted by the caller");
    if (controller.signal.aborted) {
      throw localError(
        "timeout",
        `${request.method} ${request.path} took over ${options.timeoutMs} ms`,
      );
    }
    throw transportError(`${request.method} ${request.path}`, error);
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", forwardAbort);
  }
}

/** Reads a body as UTF-8 text, refusing more than `bytesMax`. */
export async function readText(response: Response, bytesMax: number): Promise<string> {
  return new TextDecoder().decode(await readBytes(response, bytesMax));
}

/**
 * Reads a body's bytes, refusing more than `bytesMax`. A body of a declared length, not encoded,
 * is read whole by the platform: it cannot run past its Content-Length, and Chromium logs a body
 * read through a stream reader as a cancelled request (`net::ERR_ABORTED`) whenever the reader
 * sees its end before the load completes, though every byte arrived. Any other body (chunked,
 * or compressed, whose length says nothing of what it inflates to) is counted as it arrives.
 */
export async function readBytes(response: Response, bytesMax: number): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const declared = declaredLength(response);
  if (declared !== undefined) {
    if (declared > bytesMax) {
      await response.body.cancel();
      throw localError("bad-response", `answer exceeds ${bytesMax} bytes`);
    }
    return new Uint8Array(await response.arrayBuffer());
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > bytesMax) {
      await reader.cancel();
      throw localError("bad-response", `answer exceeds ${bytesMax} bytes`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * The Content-Length of a body sent as is (no Content-Encoding but identity), if declared. A
 * cross-origin answer hides its Content-Encoding from a browser's script (only CORS-safelisted
 * headers show), so there a compressed body could pass for a plain one: it has no length here.
 */
function declaredLength(response: Response): number | undefined {
  if (response.type === "cors" || response.type === "opaque") return undefined;
  const { headers } = response;
  const encoding = headers.get("content-encoding")?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== "" && encoding !== "identity") return undefined;
  const length = headers.get("content-length")?.trim();
  return length !== undefined && /^\d{1,15}$/.test(length) ? Number(length) : undefined;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw localError("bad-response", "answer is not JSON");
  }
}

function isRetryableFailure(error: unknown): boolean {
  if (!(error instanceof CareLedgerError)) return false;
  const reason = error.details.reason;
  return reason === "network" || reason === "timeout";
}

/** `Retry-After` in seconds (the HTTP-date form is not worth a clock comparison here). */
function retryAfterMsOf(header: string | null): number | undefined {
  if (header === null || !/^\d{1,6}$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

/** A route (`/v1/...`) under the base URL, keeping the base's path prefix. */
export function routeUrl(baseUrl: string, path: string): URL {
  return new URL(path.replace(/^\//, ""), baseUrl);
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(localError("aborted", "aborted by the caller"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(localError("aborted", "aborted by the caller"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
