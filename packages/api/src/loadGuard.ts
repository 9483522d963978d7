import { CareLedgerError } from "@careledger/protocol";
import type { FastifyInstance, RouteHandlerMethod } from "fastify";

/**
 * Routes that answer under any load: probes and the status a supervisor or load balancer reads
 * to decide whether the node lives. They are cheap, never wait on the node's queues, and are
 * neither counted against the bound of requests in progress nor cut by the deadline.
 */
const ALWAYS_ANSWERED = new Set(["/healthz", "/readyz", "/v1/status", "/metrics"]);
/** Long-lived by design: the event stream has its own bounds (subscribers, slow backlog). */
const STREAMS = new Set(["/v1/events"]);
/** Seconds a client is told to wait (Retry-After) when the node sheds its request. */
export const OVERLOAD_RETRY_AFTER_S = 1;

export interface LoadGuardOptions {
  /** Requests in progress at once (probes and streams aside); more get OVERLOADED at once. */
  readonly requestsInFlightMax: number;
  /** A handler still running after this long is answered REQUEST_TIMEOUT. */
  readonly handlerTimeoutMs: number;
}

/**
 * Sheds load at the door instead of letting requests pile up: past a bound of requests in
 * progress a request is refused at once, and a handler that runs too long is answered with a
 * coded timeout rather than left hanging (a 10x flood left answers 21 s late, past the 30 s
 * documented timeout, which bounded only the upload). Register before any route.
 */
export function registerLoadGuard(app: FastifyInstance, options: LoadGuardOptions): void {
  let inFlight = 0;
  app.addHook("onRequest", async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined || ALWAYS_ANSWERED.has(url) || STREAMS.has(url)) return;
    if (inFlight >= options.requestsInFlightMax) {
      throw new CareLedgerError("OVERLOADED", undefined, { retryAfterS: OVERLOAD_RETRY_AFTER_S });
    }
    inFlight += 1;
    // 'close' comes once per response, answered or aborted.
    reply.raw.once("close", () => {
      inFlight -= 1;
    });
  });
  app.addHook("onRoute", (route) => {
    if (ALWAYS_ANSWERED.has(route.url) || STREAMS.has(route.url)) return;
    route.handler = withDeadline(route.handler, options.handlerTimeoutMs);
  });
}

function withDeadline(handler: RouteHandlerMethod, timeoutMs: number): RouteHandlerMethod {
  return async function deadlined(this: FastifyInstance, request, reply) {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CareLedgerError("REQUEST_TIMEOUT")), timeoutMs);
    });
    try {
      return await Promise.race([handler.call(this, request, reply), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
}
