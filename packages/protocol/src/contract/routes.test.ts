import { TypeCompiler } from "@sinclair/typebox/compiler";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../errors.js";
import { COMMON_ERRORS, errorsByStatus, isBinarySchema, type RouteContract } from "./route.js";
import { ROUTES } from "./routes.js";

const routes = Object.values(ROUTES) as RouteContract[];

describe("the route contract", () => {
  it("names each route once, by method and path and by operation id", () => {
    const keys = routes.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(routes.length);
    const ids = routes.map((route) => route.operationId);
    expect(new Set(ids).size).toBe(routes.length);
  });

  it("declares a params schema for exactly the path's parameters", () => {
    for (const route of routes) {
      const inPath = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]);
      const declared = Object.keys(route.params?.properties ?? {});
      expect(declared.sort(), route.path).toEqual(inPath.sort());
    }
  });

  it("has schemas TypeBox's browser-safe compiler accepts, and raw bytes only as binary bodies", () => {
    for (const route of routes) {
      const schemas = [
        route.params,
        route.querystring,
        ...Object.values(route.body ?? {}).filter((schema) => !isBinarySchema(schema)),
        ...Object.values(route.responses).map((answer) => answer.schema),
      ];
      for (const schema of schemas) if (schema !== undefined) TypeCompiler.Compile(schema);
      for (const answer of Object.values(route.responses)) {
        // Each answer is JSON with a schema, or another format named by its content type.
        expect(answer.schema === undefined, route.path).toBe(answer.contentType !== undefined);
      }
    }
  });

  it("groups each route's error codes under their registry statuses, common ones included", () => {
    for (const route of routes) {
      const grouped = [...errorsByStatus(route)].flatMap(([status, codes]) =>
        codes.map((code) => {
          expect(ERROR_CODES[code].status).toBe(status);
          return code;
        }),
      );
      expect(grouped.sort()).toEqual([...new Set([...route.errors, ...COMMON_ERRORS])].sort());
    }
  });
});
