import { CareLedgerError } from "@careledger/protocol";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance } from "fastify";
import { RequestAuthenticator } from "./auth.js";
import { errorHandler } from "./errors.js";
import { registerLoadGuard } from "./loadGuard.js";
import type { NodeApi } from "./nodeApi.js";
import { blockRoutes } from "./routes/blocks.js";
import { eventRoutes } from "./routes/events.js";
import { healthRoutes } from "./routes/health.js";
import { queryRoutes } from "./routes/queries.js";
import { STATE_KEY_BYTES_MAX, stateRoutes } from "./routes/state.js";
import { statusRoutes } from "./routes/status.js";
import { txRoutes } from "./routes/txs.js";

export interface ApiOptions {
  /** Largest request body accepted, in bytes. */
  readonly bodyBytesMax: number;
  /** A request not received in full after this long is cut off (node's http requestTimeout). */
  readonly requestTimeoutMs: number;
  /** A handler still running after this long is answered REQUEST_TIMEOUT (503). */
  readonly handlerTimeoutMs: number;
  /** Requests in progress at once, probes and event streams aside; more get OVERLOADED (503). */
  readonly requestsInFlightMax: number;
  /** Open connections; the server closes any above this at once. */
  readonly connectionsMax: number;
  readonly logger: boolean;
  /** Requests one client address may make per minute. */
  readonly requestsPerMinuteMax: number;
}

export const DEFAULT_API_OPTIONS: ApiOptions = {
  bodyBytesMax: 8 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  handlerTimeoutMs: 10_000,
  requestsInFlightMax: 512,
  connectionsMax: 4_096,
  logger: false,
  requestsPerMinuteMax: 60_000,
};

export type ApiServer = FastifyInstance;

/** Builds the HTTP server over a node; the caller listens (or injects, in tests). */
export async function buildApiServer(
  node: NodeApi,
  options: Partial<ApiOptions> = {},
): Promise<ApiServer> {
  const settings = { ...DEFAULT_API_OPTIONS, ...options };
  const app = Fastify({
    logger: settings.logger,
    bodyLimit: settings.bodyBytesMax,
    requestTimeout: settings.requestTimeoutMs,
    // A state key travels as hex in the path: room for the longest one.
    routerOptions: { maxParamLength: STATE_KEY_BYTES_MAX * 2 + 16 },
    // Errors the router raises before any route runs get the one error shape too.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Signed transactions arrive as their canonical bytes: keep the body raw.
  app.addContentTypeParser(
    "application/msgpack",
    { parseAs: "buffer", bodyLimit: settings.bodyBytesMax },
    (_request, body, done) => done(null, body),
  );
  app.server.maxConnections = settings.connectionsMax;
  app.setErrorHandler(errorHandler);
  registerLoadGuard(app, settings);
  app.setNotFoundHandler((request, reply) => {
    const error = new CareLedgerError("NOT_FOUND", `no route ${request.method} ${request.url}`);
    return errorHandler(error, request, reply);
  });

  await app.register(swagger, {
    openapi: { info: { title: "CareLedger node API", version: "1" } },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  await app.register(rateLimit, {
    max: settings.requestsPerMinuteMax,
    timeWindow: 60_000,
    // Thrown to the error handler, which answers in the one error shape.
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `more than ${context.max} requests a minute`,
    }),
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  app.register(statusRoutes(node));
  const auth = new RequestAuthenticator(node);
  app.register(blockRoutes(node, auth));
  app.register(stateRoutes(node));
  app.register(queryRoutes(node, auth));
  app.register(txRoutes(node));
  app.register(healthRoutes(node));
  app.register(eventRoutes(node));
  await app.ready();
  return app;
}
