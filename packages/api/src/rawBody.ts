import type { FastifyInstance, FastifyRequest } from "fastify";

/**
 * The exact bytes of every request body the server parsed, so a signed request is checked
 * against what arrived rather than against a re-serialization of what a parser made of it.
 * Keyed by the raw request, so the entry goes when the request does.
 */
const rawBodies = new WeakMap<object, Uint8Array>();

const EMPTY = new Uint8Array(0);

/**
 * The body bytes a handler's input came from: empty when no body was parsed (a GET, or a POST
 * with none). A body parsed by a parser that did not keep its bytes is a server bug, and
 * refusing it keeps a signature from covering less than the handler reads.
 */
export function rawBodyOf(request: FastifyRequest): Uint8Array {
  const raw = rawBodies.get(request.raw);
  if (raw !== undefined) return raw;
  if (request.body === undefined || request.body === null) return EMPTY;
  throw new Error(`body of ${request.method} ${request.url} was parsed without its bytes`);
}

/** The content types the server parses: JSON ones into values, raw ones kept as bytes. */
export interface BodyTypes {
  readonly json: readonly string[];
  readonly raw: readonly string[];
}

/**
 * Replaces fastify's default parsers (JSON and text/plain, which keep no bytes) with ones that
 * keep them: the JSON types parsed by fastify's own JSON parser (secure-json-parse, refusing
 * `__proto__` and `constructor` keys), the raw types kept as bytes. Every parser is bounded by
 * `bodyBytesMax` (a route may set a lower bound). A content type with no parser is refused
 * (UNSUPPORTED_MEDIA_TYPE).
 */
export function registerBodyParsers(
  app: FastifyInstance,
  bodyBytesMax: number,
  types: BodyTypes,
): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  for (const contentType of types.json) {
    app.addContentTypeParser(
      contentType,
      { parseAs: "buffer", bodyLimit: bodyBytesMax },
      (request, body, done) => {
        const bytes = body as Buffer;
        rawBodies.set(request.raw, bytes);
        return parseJson(request, bytes.toString("utf8"), done);
      },
    );
  }
  for (const contentType of types.raw) {
    app.addContentTypeParser(
      contentType,
      { parseAs: "buffer", bodyLimit: bodyBytesMax },
      (request, body, done) => {
        rawBodies.set(request.raw, body as Buffer);
        done(null, body);
      },
    );
  }
}
