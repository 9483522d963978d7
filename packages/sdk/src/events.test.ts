import {
  type CareLedgerError,
  fromHex,
  generateSecretKey,
  keySigner,
  nobleVerifier,
  requestSigningBytes,
  toHex,
} from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CareLedgerClient } from "./client.js";
import { isTimeout } from "./errors.js";
import type { ChainEvent } from "./events.js";
import { FakeNode } from "./fakeNode.testkit.js";

/** Bound on waiting for events to arrive over the socket. */
const ARRIVAL_TIMEOUT_MS = 5_000;
const FAST_RECONNECT = { reconnectDelayMs: 5, reconnectDelayMsMax: 20 };

let node: FakeNode;
let client: CareLedgerClient;

beforeEach(async () => {
  node = await FakeNode.start();
  client = new CareLedgerClient(node.url, { retryDelayMs: 5, subscribe: FAST_RECONNECT });
});

afterEach(() => node.close());

const eventRequests = () => node.requests.filter((r) => r.url.startsWith("/v1/events"));

describe("subscribe", () => {
  it("delivers every event once, in order, across reconnects that resume by Last-Event-ID", async () => {
    for (let i = 1; i <= 5; i++) node.events.publish("block", { height: i });
    node.faults.push({ kind: "drop" });
    const received: ChainEvent[] = [];
    const errors: unknown[] = [];
    const subscription = client.subscribe({}, (event) => received.push(event), {
      onError: (error) => errors.push(error),
    });
    await vi.waitFor(() => expect(received.length).toBe(5), { timeout: ARRIVAL_TIMEOUT_MS });
    node.events.perConnection = 100;
    node.events.publish("tx", { id: "ab" });
    await vi.waitFor(() => expect(received.length).toBe(6), { timeout: ARRIVAL_TIMEOUT_MS });
    subscription.close();
    await subscription.closed;
    expect(received.map((event) => event.id)).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(received[0]).toEqual({ id: "1", event: "block", data: { height: 1 } });
    expect(received[5]?.event).toBe("tx");
    expect(subscription.lastEventId).toBe("6");
    // The dropped first attempt, then one connection per two events, each resuming.
    expect(eventRequests().map((r) => r.lastEventId)).toEqual([undefined, undefined, "2", "4"]);
    expect((errors[0] as CareLedgerError).details.reason).toBe("network");
  });

  it("sends the filter as query parameters and resumes from a given event id", async () => {
    for (let i = 1; i <= 3; i++) node.events.publish("block", { height: i });
    const account = "ab".repeat(32);
    const received: ChainEvent[] = [];
    const subscription = client.subscribe(
      { type: "identity.register", account },
      (event) => received.push(event),
      { lastEventId: "2" },
    );
    await vi.waitFor(() => expect(received.length).toBe(1), { timeout: ARRIVAL_TIMEOUT_MS });
    subscription.close();
    expect(received[0]?.id).toBe("3");
    const first = eventRequests()[0];
    expect(first?.url).toBe(`/v1/events?type=identity.register&account=${account}`);
    expect(first?.lastEventId).toBe("2");
  });

  it("signs every connection of a signed subscription anew, over the route and its filter", async () => {
    for (let i = 1; i <= 4; i++) node.events.publish("block", { height: i });
    const signer = keySigner(generateSecretKey());
    const received: ChainEvent[] = [];
    const subscription = client.subscribe(
      { type: "identity.register" },
      (event) => received.push(event),
      { signer },
    );
    await vi.waitFor(() => expect(received.length).toBe(4), { timeout: ARRIVAL_TIMEOUT_MS });
    subscription.close();
    // Two events per connection: the second connection is a reconnect, resuming after "2" (a
    // third may have opened after "4" before the close).
    const connections = eventRequests();
    expect(connections.slice(0, 2).map((r) => r.lastEventId)).toEqual([undefined, "2"]);
    for (const { url, signed } of connections) {
      expect(signed?.key).toBe(toHex(signer.publicKey));
      const bytes = requestSigningBytes(
        node.chain.chainId,
        node.chain.validators[0] as Uint8Array,
        "GET",
        url,
        new Uint8Array(0),
        Number(signed?.time),
      );
      const signature = fromHex(signed?.signature ?? "");
      expect(nobleVerifier.verify(signer.publicKey, bytes, signature)).toBe(true);
    }
    const signatures = new Set(connections.map((r) => r.signed?.signature));
    expect(signatures.size).toBe(connections.length);
  });

  it("sends no signature on an unsigned subscription", async () => {
    node.events.publish("block", { height: 1 });
    const received: ChainEvent[] = [];
    const subscription = client.subscribe({}, (event) => received.push(event));
    await vi.waitFor(() => expect(received.length).toBe(1), { timeout: ARRIVAL_TIMEOUT_MS });
    subscription.close();
    expect(eventRequests()[0]?.signed).toBeUndefined();
  });

  it("resumes from a position the node marked with an id-only block", async () => {
    node.faults.push({ kind: "stream", body: ": open\n\nid: 3-7\n\n" });
    node.events.publish("block", { height: 4 });
    const received: ChainEvent[] = [];
    const subscription = client.subscribe({}, (event) => received.push(event));
    await vi.waitFor(() => expect(eventRequests().length).toBeGreaterThanOrEqual(2), {
      timeout: ARRIVAL_TIMEOUT_MS,
    });
    subscription.close();
    expect(eventRequests()[1]?.lastEventId).toBe("3-7");
    expect(received).toEqual([]);
  });

  it("stops for good when the node refuses the subscription with a 4xx", async () => {
    const errors: unknown[] = [];
    const subscription = client.subscribe({ account: "not-hex" }, () => {}, {
      onError: (error) => errors.push(error),
    });
    const refused = await subscription.closed.then(
      () => null,
      (error: unknown) => error,
    );
    expect((refused as CareLedgerError).code).toBe("BAD_REQUEST");
    expect(errors).toHaveLength(1);
    expect(eventRequests()).toHaveLength(1);
  });

  it("reopens a stream that stays silent past the idle timeout", async () => {
    node.events.perConnection = 100;
    const errors: unknown[] = [];
    const subscription = client.subscribe({}, () => {}, {
      idleTimeoutMs: 30,
      onError: (error) => errors.push(error),
    });
    await vi.waitFor(() => expect(eventRequests().length).toBeGreaterThanOrEqual(2), {
      timeout: ARRIVAL_TIMEOUT_MS,
    });
    subscription.close();
    await subscription.closed;
    expect(isTimeout(errors[0])).toBe(true);
  });

  it("keeps streaming when the application's handler throws, reporting the throw", async () => {
    node.events.perConnection = 100;
    for (let i = 1; i <= 3; i++) node.events.publish("block", { height: i });
    const seen: string[] = [];
    const errors: unknown[] = [];
    const subscription = client.subscribe(
      {},
      (event) => {
        seen.push(event.id);
        if (event.id === "2") throw new Error("application bug");
      },
      { onError: (error) => errors.push(error) },
    );
    await vi.waitFor(() => expect(seen).toEqual(["1", "2", "3"]), { timeout: ARRIVAL_TIMEOUT_MS });
    subscription.close();
    expect((errors[0] as Error).message).toBe("application bug");
    expect(eventRequests()).toHaveLength(1);
  });
});
