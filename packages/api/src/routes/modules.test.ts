import {
  CareLedgerError,
  generateSecretKey,
  keySigner,
  type ModuleRoute,
  toHex,
} from "@careledger/protocol";
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { memoryNode } from "../memoryNode.testkit.js";
import { buildApiServer } from "../server.js";
import { signedHeaders } from "../signed.testkit.js";
import { checkModuleRoutes } from "./modules.js";

const PNG = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const item: ModuleRoute = {
  module: "provenance",
  method: "GET",
  path: "/items/:gtin",
  summary: "A trade item by GTIN",
  access: "public",
  params: Type.Object({ gtin: Type.String({ pattern: "^[0-9]{14}$" }) }),
  query: Type.Object(
    { lot: Type.Optional(Type.String({ maxLength: 20 })) },
    { additionalProperties: false },
  ),
  responseTypes: ["application/json"],
  response: Type.Object({ gtin: Type.String(), lot: Type.Union([Type.String(), Type.Null()]) }),
  handler: async ({ params, query }) => ({
    status: 200,
    contentType: "application/json",
    // `secret` is not in the response schema: it never leaves the server.
    body: { gtin: params.gtin, lot: query.lot ?? null, secret: "internal" },
  }),
};

const qr: ModuleRoute = {
  module: "provenance",
  method: "GET",
  path: "/items/:gtin/qr",
  summary: "The item's Digital Link as a QR image",
  access: "public",
  params: Type.Object({ gtin: Type.String({ pattern: "^[0-9]{14}$" }) }),
  query: Type.Object({
    format: Type.Optional(Type.Union([Type.Literal("svg"), Type.Literal("png")])),
  }),
  responseTypes: ["image/svg+xml", "image/png"],
  handler: async ({ query }) =>
    query.format === "png"
      ? { status: 200, contentType: "image/png", body: PNG }
      : {
          status: 200,
          contentType: "image/svg+xml",
          body: "<svg xmlns='http://www.w3.org/2000/svg'/>",
        },
};

const resolver: ModuleRoute = {
  module: "provenance",
  method: "GET",
  path: "/01/:gtin",
  summary: "Digital Link resolver: redirects to the item's page",
  access: "public",
  params: Type.Object({ gtin: Type.String({ pattern: "^[0-9]{14}$" }) }),
  responseTypes: ["text/html"],
  handler: async ({ params }) => ({
    status: 307,
    contentType: "text/html",
    headers: { location: `https://example.org/items/${params.gtin}` },
    body: "<a href='https://example.org'>moved</a>",
  }),
};

const search: ModuleRoute = {
  module: "records",
  method: "POST",
  path: "/search",
  summary: "A patient's records the caller may see",
  access: "signed",
  body: Type.Object({ patient: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  bodyTypes: ["application/json", "application/fhir+json"],
  bodyBytesMax: 256,
  responseTypes: ["application/fhir+json"],
  handler: async ({ body, caller }) => ({
    status: 200,
    contentType: "application/fhir+json",
    body: {
      resourceType: "Bundle",
      patient: (body as { patient: string }).patient,
      fields: Object.keys(body as object),
      askedBy: caller?.identity?.org ?? null,
    },
  }),
};

const upload: ModuleRoute = {
  module: "records",
  method: "PUT",
  path: "/content/:id",
  summary: "A record's ciphertext",
  access: "signed",
  params: Type.Object({ id: Type.String({ pattern: "^[0-9a-f]{64}$" }) }),
  bodyTypes: ["application/octet-stream"],
  responseTypes: ["application/json"],
  handler: async ({ params, body }) => {
    if (!(body instanceof Uint8Array)) throw new CareLedgerError("BAD_REQUEST", "bytes expected");
    return {
      status: 201,
      contentType: "application/json",
      body: { id: params.id, bytes: body.length },
    };
  },
};

/** A root route, as a Digital Link responder declares it: public, more for a signed caller. */
const link: ModuleRoute = {
  module: "provenance",
  method: "GET",
  path: "/01/:gtin/21/:serial",
  root: true,
  summary: "A pack's Digital Link",
  access: "public-or-signed",
  params: Type.Object({ gtin: Type.String(), serial: Type.String() }),
  responseTypes: ["application/json", "text/html"],
  handler: async ({ url, accept, caller }) =>
    accept?.includes("text/html") === true
      ? { status: 200, contentType: "text/html", body: `<p>${url}</p>` }
      : {
          status: 200,
          contentType: "application/json",
          body: { url, askedBy: caller?.identity?.org ?? null },
        },
};

async function serve(routes: ModuleRoute[]) {
  const node = memoryNode();
  node.routes.push(...routes);
  const staff = keySigner(generateSecretKey());
  node.callers.set(toHex(staff.publicKey), {
    identity: { org: "org-3", roles: ["clinician"] },
    adminOf: [],
  });
  return { app: await buildApiServer(node), staff };
}

describe("module routes", () => {
  it("serves a public JSON route with checked params and query, sending only the schema's fields", async () => {
    const { app } = await serve([item]);
    const url = "/v1/m/provenance/items/09506000134352";
    const answer = await app.inject({ method: "GET", url: `${url}?lot=A1` });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["content-type"]).toContain("application/json");
    expect(answer.json()).toEqual({ gtin: "09506000134352", lot: "A1" });
    const refused = async (path: string) => {
      const response = await app.inject({ method: "GET", url: path });
      return [response.statusCode, response.json().error.code];
    };
    expect(await refused("/v1/m/provenance/items/123")).toEqual([400, "BAD_REQUEST"]);
    expect(await refused(`${url}?lot=${"x".repeat(21)}`)).toEqual([400, "BAD_REQUEST"]);
    // What the schema does not declare is refused, as on core routes: the handler never runs.
    const extra = await app.inject({ method: "GET", url: `${url}?other=1` });
    expect([extra.statusCode, extra.json().error.code]).toEqual([400, "BAD_REQUEST"]);
    expect(await refused("/v1/m/provenance/nothing")).toEqual([404, "NOT_FOUND"]);
  });

  it("answers images and a resolver redirect in their own content types", async () => {
    const { app } = await serve([qr, resolver]);
    const svg = await app.inject({
      method: "GET",
      url: "/v1/m/provenance/items/09506000134352/qr",
    });
    expect([svg.statusCode, svg.headers["content-type"]]).toEqual([200, "image/svg+xml"]);
    expect(svg.body).toContain("<svg");
    const png = await app.inject({
      method: "GET",
      url: "/v1/m/provenance/items/09506000134352/qr?format=png",
    });
    expect(png.headers["content-type"]).toBe("image/png");
    expect(new Uint8Array(png.rawPayload)).toEqual(PNG);
    const moved = await app.inject({ method: "GET", url: "/v1/m/provenance/01/09506000134352" });
    expect(moved.statusCode).toBe(307);
    expect(moved.headers.location).toBe("https://example.org/items/09506000134352");
    expect(moved.headers["content-type"]).toContain("text/html");
  });

  it("serves a signed route only to a signed caller, over the exact body bytes, within its bounds", async () => {
    const { app, staff } = await serve([search]);
    const url = "/v1/m/records/search";
    const body = Buffer.from('{"patient":"p-1"}');
    const post = (
      payload: Buffer,
      headers: Record<string, string>,
      type = "application/fhir+json",
    ) =>
      app.inject({ method: "POST", url, payload, headers: { "content-type": type, ...headers } });
    const signedFor = (payload: Buffer) =>
      signedHeaders(staff, { method: "POST", url, body: payload });

    const good = await post(body, signedFor(body));
    expect(good.statusCode).toBe(200);
    expect(good.headers["content-type"]).toContain("application/fhir+json");
    expect(good.json()).toEqual({
      resourceType: "Bundle",
      patient: "p-1",
      fields: ["patient"],
      askedBy: "org-3",
    });

    const codeOf = async (
      response: Promise<{ statusCode: number; json: () => { error: { code: string } } }>,
    ) => {
      const answer = await response;
      return [answer.statusCode, answer.json().error.code];
    };
    expect(await codeOf(post(body, {}))).toEqual([401, "REQUEST_UNSIGNED"]);
    // Authentication comes before the schemas: an unsigned bad body learns only that.
    expect(await codeOf(post(Buffer.from('{"x":1}'), {}))).toEqual([401, "REQUEST_UNSIGNED"]);
    const tampered = Buffer.from('{"patient":"p-2"}');
    expect(await codeOf(post(tampered, signedFor(body)))).toEqual([401, "REQUEST_BAD_SIGNATURE"]);
    const wrong = Buffer.from('{"patient":{"id":7}}');
    expect(await codeOf(post(wrong, signedFor(wrong)))).toEqual([400, "BAD_REQUEST"]);
    // An undeclared field is refused before the handler runs, signed or not.
    const extra = Buffer.from('{"patient":"p-1","all":true}');
    expect((await post(extra, signedFor(extra))).json().error.code).toBe("BAD_REQUEST");
    expect(await codeOf(post(body, signedFor(body), "application/octet-stream"))).toEqual([
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ]);
    const big = Buffer.from(JSON.stringify({ patient: "p".repeat(300) }));
    expect(await codeOf(post(big, signedFor(big)))).toEqual([413, "ENCODING_TOO_LARGE"]);
  });

  it("hands a raw upload to its handler as the bytes received", async () => {
    const { app, staff } = await serve([upload]);
    const url = `/v1/m/records/content/${"ab".repeat(32)}`;
    const payload = Buffer.from([0, 1, 2, 250, 255]);
    const answer = await app.inject({
      method: "PUT",
      url,
      payload,
      headers: {
        "content-type": "application/octet-stream",
        ...signedHeaders(staff, { method: "PUT", url, body: payload }),
      },
    });
    expect([answer.statusCode, answer.json()]).toEqual([201, { id: "ab".repeat(32), bytes: 5 }]);
  });

  it("mounts a root route at its own path, handing it the raw URL, the Accept header and an optional caller", async () => {
    const { app, staff } = await serve([link]);
    const url = "/01/09520123456788/21/A%2F1?17=301231&linkType=gs1:verificationService";
    const anonymous = await app.inject({ method: "GET", url });
    expect(anonymous.statusCode).toBe(200);
    // Still percent-encoded: the handler reads the URI by the Digital Link rules, not fastify's.
    expect(anonymous.json()).toEqual({ url, askedBy: null });
    const signed = await app.inject({
      method: "GET",
      url,
      headers: signedHeaders(staff, { method: "GET", url }),
    });
    expect(signed.json()).toEqual({ url, askedBy: "org-3" });
    const page = await app.inject({ method: "GET", url, headers: { accept: "text/html" } });
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.body).toBe(`<p>${url}</p>`);
    // A request that carries signing headers is checked as signed, never read as anonymous.
    const partial = await app.inject({
      method: "GET",
      url,
      headers: { "x-careledger-key": toHex(staff.publicKey) },
    });
    expect([partial.statusCode, partial.json().error.code]).toEqual([401, "REQUEST_UNSIGNED"]);
    const moved = await app.inject({ method: "GET", url: `/v1/m/provenance${url}` });
    expect(moved.statusCode).toBe(404);
  });

  it("answers INTERNAL when a handler answers a content type it did not declare", async () => {
    const liar: ModuleRoute = {
      ...item,
      path: "/liar",
      params: undefined,
      handler: async () => ({ status: 200, contentType: "text/html", body: "<p>" }),
    };
    const { app } = await serve([liar]);
    const answer = await app.inject({ method: "GET", url: "/v1/m/provenance/liar" });
    expect([answer.statusCode, answer.json().error.code]).toEqual([500, "INTERNAL"]);
  });

  it("lists module routes in /openapi.json with their tags, content types and errors", async () => {
    const { app } = await serve([item, qr, search]);
    const paths = (await app.inject({ method: "GET", url: "/openapi.json" })).json().paths;
    const get = paths["/v1/m/provenance/items/{gtin}"].get;
    expect(get.summary).toBe("A trade item by GTIN");
    expect(get.tags).toEqual(["module provenance"]);
    expect(get.parameters.map((each: { name: string }) => each.name).sort()).toEqual([
      "gtin",
      "lot",
    ]);
    expect(Object.keys(get.responses["2XX"].content)).toEqual(["application/json"]);
    expect(get.responses["4XX"]).toBeDefined();
    expect(
      Object.keys(paths["/v1/m/provenance/items/{gtin}/qr"].get.responses["2XX"].content),
    ).toEqual(["image/svg+xml", "image/png"]);
    const post = paths["/v1/m/records/search"].post;
    expect(Object.keys(post.requestBody.content).sort()).toEqual([
      "application/fhir+json",
      "application/json",
    ]);
  });
});

describe("module routes are checked before the server serves", () => {
  const refusal = async (routes: ModuleRoute[]) =>
    serve(routes).then(
      () => "built",
      (error: Error) => error.message,
    );

  it("refuses a route that collides with another module's, up to parameter names", async () => {
    const again = { ...item, params: Type.Object({ code: Type.String() }), path: "/items/:code" };
    expect(await refusal([item, again])).toMatch(
      /collides with module provenance's route GET \/items\/:gtin/,
    );
  });

  it("refuses a root route that collides with a core route", () => {
    const core = [{ method: "GET", url: "/epcis/events" }];
    const events = { ...item, root: true, path: "/epcis/events", params: undefined };
    expect(() => checkModuleRoutes([events], core, 1024)).toThrow(/collides with a core route/);
  });

  it("refuses a route that collides with a core route", () => {
    const core = [{ method: "GET", url: "/v1/m/provenance/items/:id" }];
    expect(() => checkModuleRoutes([item], core, 1024)).toThrow(/collides with a core route/);
  });

  it.each([
    ["a wildcard path", { path: "/items/*" }, /not a plain route path/],
    [
      "a params schema that misses a path parameter",
      { path: "/items/:gtin/:lot" },
      /params schema/,
    ],
    ["a bad module name", { module: "Provenance" }, /module name/],
    ["a root route outside the allowed prefixes", { root: true }, /a root route is under/],
    [
      "a root route under a prefix that only starts alike",
      { root: true, path: "/0123/:gtin" },
      /a root route is under/,
    ],
    ["no content type", { responseTypes: [] }, /answers no content type/],
    [
      "a body schema on raw bytes",
      { method: "POST", body: Type.Object({}), bodyTypes: ["application/octet-stream"] },
      /checks JSON bodies/,
    ],
    ["a body on a GET", { bodyTypes: ["application/json"] }, /GET takes no body/],
    [
      "a body bound above the server's",
      { method: "POST", bodyTypes: ["application/json"], bodyBytesMax: 1e12 },
      /bodyBytesMax/,
    ],
  ] as const)("refuses %s", async (_what, change, message) => {
    expect(await refusal([{ ...item, ...change } as ModuleRoute])).toMatch(message);
  });
});
