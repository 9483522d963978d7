import { CareLedgerError, STATE_KEY_BYTES_MAX } from "@careledger/protocol";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, type onRouteHookHandler } from "fastify";
import { RequestAuthenticator } from "./auth.js";
import { errorHandler } from "./errors.js";
import { registerLoadGuard } from "./loadGuard.js";
import type { NodeApi } from "./nodeApi.js";
import { SWAGGER_OPTIONS } from "./openapi.js";
import { registerBodyParsers } from "./rawBody.js";
import { blockRoutes } from "./routes/blocks.js";
import { type ConsoleBuilder, consoleRoutes } from "./routes/console.js";
import { eventRoutes } from "./routes/events.js";
import { mountFhirMetadata } from "./routes/fhir.js";
import { healthRoutes } from "./routes/health.js";
import { checkModuleRoutes, mountModuleRoutes, type RouteShape } from "./routes/modules.js";
import { queryRoutes } from "./routes/queries.js";
import { stateRoutes } from "./routes/state.js";
import { statusRoutes } from "./routes/status.js";
import { txRoutes } from "./routes/txs.js";
import { ReadScopes } from "./scopes.js";
import { type ApiTls, httpsServerOptions, registerClientCertCheck } from "./tls.js";

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
  /**
   * Told of every route as it is added, plugins' included, before it is built: tests compare the
   * routes with the OpenAPI document and the read-scope table (so a new route cannot go without a
   * row), and watch what handlers answer before serialization.
   */
  readonly onRoute?: onRouteHookHandler;
  /** Builds the web console served at `/`; absent, `/` stays NOT_FOUND (tests, bare APIs). */
  readonly console?: ConsoleBuilder;
  /** Serve HTTPS with these; absent, plain HTTP (the node allows that on loopback only). */
  readonly tls?: ApiTls;
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
    // null is fastify's "plain HTTP".
    https: settings.tls === undefined ? null : httpsServerOptions(settings.tls),
    logger: settings.logger,
    bodyLimit: settings.bodyBytesMax,
    requestTimeout: settings.requestTimeoutMs,
    // A state key travels as hex in the path: room for the longest one.
    routerOptions: { maxParamLength: STATE_KEY_BYTES_MAX * 2 + 16 },
    // Errors the router raises before any route runs get the one error shape too.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
    // A field the contract does not allow is refused (BAD_REQUEST), not silently removed.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (settings.onRoute !== undefined) app.addHook("onRoute", settings.onRoute);

  // Signed transactions arrive as their canonical bytes: keep the body raw. Every body's bytes
  // are kept, JSON too, because a signed request's signature covers exactly those bytes.
  registerBodyParsers(app, settings.bodyBytesMax, {
    json: ["application/json", "application/fhir+json"],
    raw: ["application/msgpack", "application/octet-stream"],
  });
  app.server.maxConnections = settings.connectionsMax;
  app.setErrorHandler(errorHandler);
  // First of the hooks: a refused client certificate reaches nothing else.
  if (settings.tls !== undefined) registerClientCertCheck(app, settings.tls);
  registerLoadGuard(app, settings);
  app.setNotFoundHandler((request, reply) => {
    const error = new CareLedgerError("NOT_FOUND", `no route ${request.method} ${request.url}`);
    return errorHandler(error, request, reply);
  });

  // Every core route, so a module route that would collide with one is refused below.
  const coreRoutes: RouteShape[] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) coreRoutes.push({ method, url: route.url });
  });
  await app.register(swagger, SWAGGER_OPTIONS);
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
  const scopes = new ReadScopes(node, auth);
  app.register(blockRoutes(node, scopes));
  app.register(stateRoutes(node, scopes));
  app.register(queryRoutes(node, scopes));
  app.register(txRoutes(node, scopes));
  app.register(healthRoutes(node));
  app.register(eventRoutes(node, scopes));
  if (settings.console !== undefined) app.register(consoleRoutes(settings.console));
  await app.after();
  const moduleRoutes = node.moduleRoutes();
  checkModuleRoutes(moduleRoutes, [...coreRoutes], settings.bodyBytesMax);
  mountModuleRoutes(app, moduleRoutes, scopes);
  mountFhirMetadata(app, moduleRoutes);
  await app.ready();
  return app;
}
