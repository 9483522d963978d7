import {
  describeAccess,
  ERROR_CODES,
  errorsByStatus,
  QUERY_ROUTES,
  REQUEST_KEY_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  ROUTES,
  type RouteContract,
} from "@careledger/protocol";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { SAMPLE_MODULE_ROUTES } from "./fhirRoutes.testkit.js";
import { memoryNode } from "./memoryNode.testkit.js";
import { buildApiServer } from "./server.js";

interface Operation {
  operationId?: string;
  description?: string;
  summary?: string;
  tags?: string[];
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    style?: string;
    explode?: boolean;
  }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<
    string,
    {
      description: string;
      content?: Record<
        string,
        { schema: { properties?: { error?: { properties: { code: { enum: string[] } } } } } }
      >;
    }
  >;
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };

/** The contract's routes and each query's own operation. */
const CONTRACT_ROUTES: readonly RouteContract[] = [
  ...Object.values(ROUTES),
  ...Object.values(QUERY_ROUTES),
];

/** Routes outside the API proper: the document itself and its browsable page. */
const UNDOCUMENTED = (url: string) => url === "/openapi.json" || url.startsWith("/docs");

/** fastify's `:param` as OpenAPI's `{param}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/** A node with module routes (a FHIR read and search, a plain one) besides the core routes. */
async function served() {
  const routes: { method: string; url: string }[] = [];
  const node = memoryNode();
  node.routes.push(...SAMPLE_MODULE_ROUTES);
  const app = await buildApiServer(node, {
    onRoute: (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    },
  });
  const document = (await app.inject({ method: "GET", url: "/openapi.json" })).json() as OpenApi;
  return { app, routes, document };
}

type SchemaNode = { properties?: Record<string, unknown> };

/** The first schema inside `value` (depth first) that `wanted` accepts. */
function findSchema(value: unknown, wanted: (schema: SchemaNode) => boolean): SchemaNode | null {
  if (typeof value !== "object" || value === null) return null;
  if (wanted(value as SchemaNode)) return value as SchemaNode;
  for (const inner of Object.values(value)) {
    const found = findSchema(inner, wanted);
    if (found !== null) return found;
  }
  return null;
}

function operations(document: OpenApi): { method: string; path: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method, path, operation })),
  );
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3 document", async () => {
    const { document } = await served();
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.0");
  });

  it("documents every route fastify serves, and serves every route it documents", async () => {
    const { app, routes, document } = await served();
    // HEAD routes are fastify's automatic twins of the GETs.
    const apiRoutes = routes.filter((route) => route.method !== "HEAD" && !UNDOCUMENTED(route.url));
    expect(apiRoutes.length).toBeGreaterThanOrEqual(Object.keys(ROUTES).length);
    for (const { method, url } of apiRoutes) {
      expect(
        document.paths[openApiPath(url)]?.[method.toLowerCase()],
        `${method} ${url}`,
      ).toBeDefined();
    }
    for (const { method, path } of operations(document)) {
      const url = path.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1");
      expect(
        app.hasRoute({ method: method.toUpperCase() as "GET", url }),
        `${method} ${path}`,
      ).toBe(true);
    }
    for (const route of CONTRACT_ROUTES) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      expect(operation?.operationId, route.path).toBe(route.operationId);
    }
  });

  it("gives every operation a unique id, a summary, tags, a success schema and its error codes", async () => {
    const { document } = await served();
    const ids = new Set<string>();
    for (const { method, path, operation } of operations(document)) {
      const where = `${method} ${path}`;
      expect(operation.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(operation.operationId as string), where).toBe(false);
      ids.add(operation.operationId as string);
      expect(operation.summary, where).toBeTruthy();
      expect(operation.tags?.length, where).toBeGreaterThan(0);
      const success = Object.entries(operation.responses).filter(([status]) => status < "300");
      expect(success.length, where).toBeGreaterThan(0);
      for (const [, answer] of success) expect(answer.content, where).toBeDefined();
    }
  });

  it("names query parameters after the contract's fields, never after schema keywords", async () => {
    const { document } = await served();
    for (const route of CONTRACT_ROUTES) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      const names = (operation?.parameters ?? [])
        .filter((parameter) => parameter.in === "query")
        .map((parameter) => parameter.name)
        .sort();
      const fields = route.querystring?.properties;
      const expected =
        route.querystring === undefined
          ? []
          : fields === undefined
            ? ["params"]
            : Object.keys(fields);
      expect(names, route.path).toEqual(expected.sort());
    }
  });

  it("lists per status exactly the codes the contract says a route may answer", async () => {
    const { document } = await served();
    for (const route of CONTRACT_ROUTES) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      const byStatus = errorsByStatus(route);
      expect(byStatus.get(500)).toContain("INTERNAL");
      for (const [status, codes] of byStatus) {
        const answer = operation?.responses[String(status)];
        const schema = answer?.content?.["application/json"]?.schema;
        expect(schema?.properties?.error?.properties.code.enum, `${route.path} ${status}`).toEqual(
          codes,
        );
        for (const code of codes) expect(answer?.description).toContain(code);
        for (const code of codes) expect(ERROR_CODES[code].status).toBe(status);
      }
    }
  });

  it("describes POST /v1/txs's two bodies and the query map as one form-exploded object", async () => {
    const { document } = await served();
    const submit = document.paths["/v1/txs"]?.post;
    expect(Object.keys(submit?.requestBody?.content ?? {}).sort()).toEqual([
      "application/json",
      "application/msgpack",
    ]);
    expect(submit?.requestBody?.content["application/msgpack"]).toEqual({
      schema: expect.objectContaining({ type: "string", format: "binary" }),
    });
    const query = document.paths["/v1/query/{name}"]?.get;
    const map = query?.parameters?.find((parameter) => parameter.in === "query");
    expect(map).toMatchObject({
      style: "form",
      explode: true,
      schema: { type: "object", additionalProperties: { type: "string" } },
    });
    expect(query?.parameters?.filter((parameter) => parameter.in === "query")).toHaveLength(1);
  });

  it("asks for the signed-request headers on signed routes only", async () => {
    const { document } = await served();
    const signedHeaders = [REQUEST_KEY_HEADER, REQUEST_TIME_HEADER, REQUEST_SIGNATURE_HEADER];
    for (const route of CONTRACT_ROUTES) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      const headers = (operation?.parameters ?? []).filter(
        (parameter) => parameter.in === "header",
      );
      expect(
        headers.map((header) => [header.name, header.required]),
        route.path,
      ).toEqual(route.signed === true ? signedHeaders.map((name) => [name, true]) : []);
    }
  });

  it("describes each query as its own operation: parameters, result, access, paging", async () => {
    const { app, document } = await served();
    for (const route of Object.values(QUERY_ROUTES)) {
      const operation = document.paths[route.path]?.get;
      expect(operation?.description, route.path).toContain(describeAccess(route.query.access));
      const names = (operation?.parameters ?? [])
        .filter((parameter) => parameter.in === "query")
        .map((parameter) => parameter.name);
      expect(names.includes("limit") && names.includes("cursor"), route.path).toBe(
        route.query.paged,
      );
      const answer = operation?.responses["200"]?.content?.["application/json"]?.schema as
        | { properties?: { result?: unknown } }
        | undefined;
      // The document's result is the derived JSON schema (OpenAPI spells null as nullable).
      expect(answer?.properties?.result, route.path).toBeDefined();
      expect(JSON.stringify(answer?.properties?.result)).not.toContain("Uint8Array");
      // Served for real: the query route answers, not the 404. A signature is wanted, asked
      // before the parameters are looked at; a public query (product.get) checks them at once.
      const reply = await app.inject({ method: "GET", url: route.path });
      const open = route.query.access.some((rule) => rule.rule === "public");
      expect([reply.statusCode, reply.json().error.code], route.path).toEqual(
        open ? [400, "BAD_REQUEST"] : [401, "REQUEST_UNSIGNED"],
      );
    }
    const key = document.paths["/v1/query/identity.key"]?.get;
    expect(key?.parameters?.find((parameter) => parameter.name === "key")).toMatchObject({
      in: "query",
      required: true,
      schema: { type: "string", pattern: "^[0-9a-f]{64}$" },
    });
    // Bytes in the canonical result (a governance change's key) are hex in the document.
    const proposal = document.paths["/v1/query/gov.proposal"]?.get?.responses["200"];
    const addValidator = findSchema(
      proposal,
      (schema) =>
        JSON.stringify(schema.properties?.kind) ===
        JSON.stringify({ type: "string", enum: ["validator.add"] }),
    );
    expect(addValidator?.properties?.key).toMatchObject({
      type: "string",
      pattern: "^[0-9a-f]{64}$",
    });
  });
});
