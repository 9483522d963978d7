import { CareLedgerError, type Signer } from "@careledger/protocol";
import { errorFromResponse, localError, transportError } from "./errors.js";
import { type HttpOptions, readText, routeUrl, sleep } from "./http.js";
import { SseParser } from "./sse.js";

/** Which events to receive; the node filters. Absent fields match everything. */
export interface EventFilter {
  /** A transaction id (hex). */
  readonly tx?: string;
  /** A transaction type such as `identity.register`. */
  readonly type?: string;
  /** An account id (hex public key): transactions it sent. */
  readonly account?: string;
}

export interface ChainEvent {
  /** The stream position; a subscription resumes after the last one it delivered. */
  readonly id: string;
  /** The SSE event name: `block`, `tx`, ... */
  readonly event: string;
  /** The event's data, parsed as JSON (the raw text when it is not JSON). */
  readonly data: unknown;
}

/**
 * Signs one request for the node it goes to (the SDK's one place that calls
 * `signedRequestHeaders`, made by the client once it knows the node's chain).
 */
export type SignRead = (method: "GET", pathWithQuery: string) => Readonly<Record<string, string>>;

export interface SubscribeOptions {
  /** First delay before reconnecting; doubles per failed attempt, reset once events flow. */
  readonly reconnectDelayMs: number;
  readonly reconnectDelayMsMax: number;
  /** A stream silent this long is presumed dead and reopened (nodes send heartbeat comments). */
  readonly idleTimeoutMs: number;
  /** Longest event accepted, in characters. */
  readonly eventCharsMax: number;
  /** Resume after this event id (from a previous subscription). */
  readonly lastEventId?: string;
  /**
   * The key that signs the subscription. Unsigned, a node streams block events only; signed, it
   * adds the transaction events this key may see (its own; all of them for an operator).
   */
  readonly signer?: Signer;
  /** Told of every failure; the subscription reconnects after those that are not final. */
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_SUBSCRIBE_OPTIONS: SubscribeOptions = {
  reconnectDelayMs: 250,
  reconnectDelayMsMax: 10_000,
  idleTimeoutMs: 60_000,
  eventCharsMax: 1024 * 1024,
};

export interface Subscription {
  /** The id of the last event delivered, sent as `Last-Event-ID` when reconnecting. */
  readonly lastEventId: string | undefined;
  close(): void;
  /** Resolves once closed by `close()`; rejects with the error when the node refuses for good. */
  readonly closed: Promise<void>;
}

/**
 * Opens `GET /v1/events` and keeps it open: reconnects with backoff, resuming by event id. With
 * `signing` (the client makes it from `options.signer`), every connection is signed anew: a
 * signature is good for one request only.
 */
export function subscribeEvents(
  baseUrl: string,
  http: HttpOptions,
  filter: EventFilter,
  onEvent: (event: ChainEvent) => void,
  options: SubscribeOptions,
  signing?: () => Promise<SignRead>,
): Subscription {
  const stop = new AbortController();
  const stream: StreamState = {
    lastEventId: options.lastEventId,
    retryMs: undefined,
    signing,
    sign: undefined,
  };
  const deliver = (event: ChainEvent) => {
    try {
      onEvent(event);
    } catch (error) {
      // The application's handler failed, not the stream: report it and keep going.
      options.onError?.(error);
    }
  };
  const run = async () => {
    let delay = options.reconnectDelayMs;
    while (!stop.signal.aborted) {
      const connection = { baseUrl, http, filter, options, signal: stop.signal };
      try {
        if (await streamOnce(connection, stream, deliver)) delay = options.reconnectDelayMs;
      } catch (error) {
        if (stop.signal.aborted) return;
        options.onError?.(error);
        if (isFinal(error)) throw error;
      }
      const wait = Math.min(stream.retryMs ?? delay, options.reconnectDelayMsMax);
      await sleep(wait, stop.signal).catch(() => {});
      delay = Math.min(delay * 2, options.reconnectDelayMsMax);
    }
  };
  const closed = run();
  // The caller may never await `closed`; a final error still reaches it through onError.
  closed.catch(() => {});
  return {
    get lastEventId() {
      return stream.lastEventId;
    },
    close: () => stop.abort(),
    closed,
  };
}

/** What outlives one connection: where to resume, the delay the server asked for, the signer. */
interface StreamState {
  lastEventId: string | undefined;
  retryMs: number | undefined;
  /** Makes the signer (it needs the node's chain); asked again until it once succeeds. */
  readonly signing: (() => Promise<SignRead>) | undefined;
  sign: SignRead | undefined;
}

/**
 * A refusal that reconnecting cannot fix: a 4xx other than 429 (bad filter, no such route), or a
 * TLS failure (an untrusted node certificate).
 */
function isFinal(error: unknown): boolean {
  if (!(error instanceof CareLedgerError)) return false;
  if (error.details.reason === "tls") return true;
  const status = error.details.httpStatus;
  return typeof status === "number" && status >= 400 && status < 500 && status !== 429;
}

interface Connection {
  readonly baseUrl: string;
  readonly http: HttpOptions;
  readonly filter: EventFilter;
  readonly options: SubscribeOptions;
  readonly signal: AbortSignal;
}

const EVENTS_PATH = "/v1/events";

function eventsUrl(baseUrl: string, filter: EventFilter): URL {
  const url = routeUrl(baseUrl, EVENTS_PATH);
  for (const name of ["tx", "type", "account"] as const) {
    const value = filter[name];
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url;
}

/** The signature headers of one connection, or none for an unsigned subscription. */
async function connectionHeaders(stream: StreamState, url: URL): Promise<Record<string, string>> {
  if (stream.signing === undefined) return {};
  stream.sign ??= await stream.signing();
  // Signed as the node sees it: the route's path and the query, without a gateway's prefix.
  return { ...stream.sign("GET", `${EVENTS_PATH}${url.search}`) };
}

/**
 * One connection: delivers events until the stream ends. Resolves with whether any event came
 * (which resets the backoff); rejects with the failure.
 */
async function streamOnce(
  connection: Connection,
  stream: StreamState,
  deliver: (event: ChainEvent) => void,
): Promise<boolean> {
  const { http, options, signal } = connection;
  const abort = new AbortController();
  const forward = () => abort.abort();
  signal.addEventListener("abort", forward);
  let timedOut = false;
  let idle = setTimeout(forward, http.timeoutMs);
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, options.idleTimeoutMs);
  };
  let delivered = false;
  const parser = new SseParser((event) => {
    delivered = true;
    stream.lastEventId = event.id || undefined;
    deliver({ id: event.id, event: event.event, data: parseData(event.data) });
  }, options.eventCharsMax);
  // The id persists across connections, as in EventSource: events without an id keep it.
  parser.lastEventId = stream.lastEventId ?? "";
  try {
    const url = eventsUrl(connection.baseUrl, connection.filter);
    const headers: Record<string, string> = {
      accept: "text/event-stream",
      ...http.headers,
      ...(await connectionHeaders(stream, url)),
    };
    if (stream.lastEventId !== undefined) headers["last-event-id"] = stream.lastEventId;
    const response = await http.fetch(url, {
      headers,
      signal: abort.signal,
    });
    if (!response.ok) {
      throw errorFromResponse(response.status, await readText(response, http.responseBytesMax));
    }
    const type = response.headers.get("content-type") ?? "";
    if (!type.startsWith("text/event-stream") || response.body === null) {
      throw localError("bad-response", `events answered with ${type || "no content type"}`);
    }
    touch();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return delivered;
      touch();
      parser.push(value);
      stream.retryMs = parser.retryMs ?? stream.retryMs;
      // An id-only block moves the resume point without an event (EventSource does the same).
      stream.lastEventId = parser.lastEventId === "" ? undefined : parser.lastEventId;
    }
  } catch (error) {
    if (error instanceof CareLedgerError || signal.aborted) throw error;
    if (error instanceof RangeError) throw localError("bad-response", error.message);
    if (timedOut) throw localError("timeout", `no event data for ${options.idleTimeoutMs} ms`);
    if (abort.signal.aborted) throw localError("timeout", "events did not answer in time");
    throw transportError("events", error);
  } finally {
    clearTimeout(idle);
    signal.removeEventListener("abort", forward);
    abort.abort();
  }
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}
