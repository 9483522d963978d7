import { ROUTES, toHex } from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";

import type { NodeApi, NodeEvent } from "../nodeApi.js";
import { routeSchema } from "../routeSchema.js";
import type { Caller, EventFilter, ReadScopes } from "../scopes.js";

/** Subscribers one node serves at once; more are refused with RATE_LIMITED. */
export const EVENT_SUBSCRIBERS_MAX = 256;
/** Live events buffered for one slow subscriber before it is cut off (it can resume). */
export const EVENT_BACKLOG_MAX = 10_000;
/**
 * Heights replayed for one resuming request; a client further behind gets that much, then the
 * stream ends and it resumes again from the last id it saw.
 */
export const EVENT_REPLAY_HEIGHTS_MAX = 1_000;
/** How often an idle stream gets a position mark or a keep-alive comment. */
export const EVENT_HEARTBEAT_MS = 15_000;
/** Unsent bytes one subscriber may hold in the socket buffer before it is cut off. */
export const EVENT_WRITE_BUFFER_BYTES_MAX = 4 * 1024 * 1024;

/** Event ids are positions in the chain, so a client resumes even across node restarts. */
function eventId(event: NodeEvent): string {
  return event.type === "block" ? `${event.height}` : `${event.height}-${event.index}`;
}

/** Where a Last-Event-ID points: everything strictly after (height, index); a block is index -1. */
function parseCursor(header: string | undefined): { height: number; index: number } | null {
  const match = /^(\d{1,15})(?:-(\d{1,6}))?$/.exec(header ?? "");
  if (match === null) return null;
  return { height: Number(match[1]), index: match[2] === undefined ? -1 : Number(match[2]) };
}

function isAfter(event: NodeEvent, cursor: { height: number; index: number }): boolean {
  const index = event.type === "block" ? -1 : event.index;
  return event.height > cursor.height || (event.height === cursor.height && index > cursor.index);
}

function matches(event: NodeEvent, filter: EventFilter): boolean {
  if (event.type === "block")
    return filter.tx === undefined && filter.account === undefined && filter.type === undefined;
  if (filter.tx !== undefined && toHex(event.id) !== filter.tx) return false;
  if (filter.type !== undefined && event.txType !== filter.type) return false;
  if (filter.account !== undefined && toHex(event.from) !== filter.account) return false;
  return true;
}

function serialize(event: NodeEvent): string {
  const data =
    event.type === "block"
      ? {
          type: "block",
          height: event.height,
          hash: toHex(event.hash),
          time: event.time,
          txCount: event.txCount,
        }
      : {
          type: "tx",
          height: event.height,
          index: event.index,
          id: toHex(event.id),
          txType: event.txType,
          from: toHex(event.from),
          receipt: event.receipt,
        };
  return `id: ${eventId(event)}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** What one subscriber may receive, and how to tell that its key still stands. */
interface Audience {
  readonly visible: (event: NodeEvent) => boolean;
  readonly caller: Caller | null;
}

/**
 * `GET /v1/events`: Server-Sent Events of committed blocks and receipts, filterable and resumable.
 * Block events are public; a signed subscriber also gets the transaction events the read policy
 * lets it see (its own, or all for an operator), whatever its filter asks.
 */
export function eventRoutes(node: NodeApi, scopes: ReadScopes): FastifyPluginAsyncTypebox {
  let subscribers = 0;
  return async (app) => {
    app.get(ROUTES.events.path, { schema: routeSchema(ROUTES.events) }, async (request, reply) => {
      if (subscribers >= EVENT_SUBSCRIBERS_MAX) {
        return reply
          .status(429)
          .send({ error: { code: "RATE_LIMITED", message: "too many subscribers", details: {} } });
      }
      const filter: EventFilter = request.query;
      const caller = await scopes.optional(request);
      const audience: Audience = { visible: scopes.eventAudience(caller, filter), caller };
      // A HEAD learns whether it may subscribe; a stream has no end for it to wait for.
      if (request.method === "HEAD") return reply.type("text/event-stream").send("");
      subscribers += 1;
      const cursor = parseCursor(request.headers["last-event-id"] as string | undefined);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      raw.write(": stream open\n\n");
      try {
        await stream(node, scopes, raw, filter, audience, cursor);
      } finally {
        subscribers -= 1;
      }
    });
  };
}

async function stream(
  node: NodeApi,
  scopes: ReadScopes,
  raw: FastifyReply["raw"],
  filter: EventFilter,
  audience: Audience,
  cursor: { height: number; index: number } | null,
): Promise<void> {
  // Subscribe before replaying, so nothing committed in between is missed.
  const backlog: NodeEvent[] = [];
  let live = false;
  let last = cursor ?? { height: node.status().height, index: Number.MAX_SAFE_INTEGER };
  let lastSentId: string | null = null;
  const send = (event: NodeEvent) => {
    if (!isAfter(event, last)) return;
    last = { height: event.height, index: event.type === "block" ? -1 : event.index };
    if (!matches(event, filter) || !audience.visible(event)) return;
    lastSentId = eventId(event);
    raw.write(serialize(event));
    if (raw.writableLength > EVENT_WRITE_BUFFER_BYTES_MAX) raw.destroy();
  };
  // Now and then: a position mark (an id with no data) when the filter skipped events since the
  // last one sent, so a reconnecting client resumes from where the stream really was; else a
  // comment, so idle connections are not cut by proxies or the client's idle timeout.
  const heartbeat = setInterval(() => {
    const position = last.index === -1 ? `${last.height}` : `${last.height}-${last.index}`;
    if (last.index !== Number.MAX_SAFE_INTEGER && position !== lastSentId) {
      lastSentId = position;
      raw.write(`id: ${position}\n\n`);
    } else {
      raw.write(": keepalive\n\n");
    }
  }, EVENT_HEARTBEAT_MS);
  const closed = new Promise<void>((done) => raw.once("close", done));
  // A signed stream lives on the identity it was opened with: at each new block the key is looked
  // up again, and once it is revoked (or its roles changed) the stream ends; the client's
  // reconnect signs anew and meets the current rules.
  const { caller } = audience;
  const recheck = () => {
    if (caller === null) return;
    scopes.stillStands(caller).then(
      (stands) => {
        if (!stands) raw.end();
      },
      () => raw.end(),
    );
  };
  const unsubscribe = node.subscribe((event) => {
    if (event.type === "block") recheck();
    if (live) send(event);
    else if (backlog.length < EVENT_BACKLOG_MAX) backlog.push(event);
    else raw.destroy();
  });
  try {
    if (cursor !== null) {
      const head = node.status().height;
      const end = Math.min(head, cursor.height + EVENT_REPLAY_HEIGHTS_MAX);
      for (let height = cursor.height; height <= end && !raw.destroyed; height++) {
        for (const event of await node.eventsOfBlock(height)) send(event);
      }
      if (end < head) return;
    }
    for (const event of backlog.splice(0)) send(event);
    live = true;
    await closed;
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
    if (!raw.destroyed) raw.end();
  }
}
