import { type SignedTx, type Signer, toHex } from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import {
  CALLER_KINDS,
  type CallerKind,
  type MemoryNode,
  memoryNode,
  registerCallers,
  sampleTx,
} from "./memoryNode.testkit.js";
import { type ApiServer, buildApiServer } from "./server.js";
import { signedHeaders } from "./signed.testkit.js";

/** Longest wait for an event that must come; a failure, never a pause. */
const WAIT_MS_MAX = 5_000;

interface Received {
  readonly id: string;
  readonly event: string;
  readonly data: { readonly id?: string };
}

/** One real SSE subscription: collects what the node sends, and waits (bounded) for it. */
class Tap {
  readonly events: Received[] = [];
  ended = false;
  private readonly waiters = new Set<() => void>();
  private readonly abort = new AbortController();

  static async open(base: string, path: string, headers: Record<string, string>): Promise<Tap> {
    const tap = new Tap();
    const response = await fetch(`${base}${path}`, { headers, signal: tap.abort.signal });
    expect(response.status, await peekError(response)).toBe(200);
    tap.pump((response.body as ReadableStream<Uint8Array>).getReader()).catch(() => {});
    return tap;
  }

  /** Resolves once `done` holds, or fails after WAIT_MS_MAX. */
  until(what: string, done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${what} within ${WAIT_MS_MAX} ms`));
      }, WAIT_MS_MAX);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /** Ids of the transaction events received. */
  txIds(): string[] {
    return this.events.filter((e) => e.event === "tx").map((e) => e.data.id as string);
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        this.parse(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
      }
      for (const waiter of [...this.waiters]) waiter();
    }
    this.ended = true;
    for (const waiter of [...this.waiters]) waiter();
  }

  private parse(block: string): void {
    const fields = new Map<string, string>();
    for (const line of block.split("\n")) {
      const colon = line.indexOf(": ");
      if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
    }
    const data = fields.get("data");
    if (data === undefined) return;
    this.events.push({
      id: fields.get("id") ?? "",
      event: fields.get("event") ?? "",
      data: JSON.parse(data),
    });
  }
}

async function peekError(response: Response): Promise<string> {
  return response.status === 200 ? "" : await response.text();
}

const headersOf = (signer: Signer | null, path: string) =>
  signer === null ? {} : signedHeaders(signer, { method: "GET", url: path });

describe("the event stream, filtered per subscriber", () => {
  let app: ApiServer | undefined;
  const taps: Tap[] = [];
  afterEach(async () => {
    for (const tap of taps.splice(0)) tap.close();
    await app?.close();
  });

  async function setup(): Promise<{
    node: MemoryNode;
    base: string;
    signers: Record<CallerKind, Signer | null>;
  }> {
    const node = memoryNode();
    const signers = registerCallers(node);
    app = await buildApiServer(node);
    return { node, base: await app.listen({ port: 0, host: "127.0.0.1" }), signers };
  }

  async function commit(node: MemoryNode, txs: readonly SignedTx[]): Promise<void> {
    for (const tx of txs) await node.submitTx(tx.bytes);
    node.commitBlock();
  }

  it("gives everyone blocks, a patient its own transactions, operators all of them", async () => {
    const { node, base, signers } = await setup();
    const patientTx = sampleTx(signers.patient as Signer);
    const otherTx = sampleTx(signers.otherPatient as Signer);
    const tapOf = new Map<CallerKind, Tap>();
    for (const kind of CALLER_KINDS) {
      const tap = await Tap.open(base, "/v1/events", headersOf(signers[kind], "/v1/events"));
      taps.push(tap);
      tapOf.set(kind, tap);
    }
    await commit(node, [patientTx, otherTx]);
    // Events come in chain order: once block 2 is in, all of block 1 that was sent is too.
    await commit(node, []);
    const seen: Record<string, string[]> = {};
    for (const [kind, tap] of tapOf) {
      await tap.until(`block 2 for ${kind}`, () => tap.events.some((e) => e.id === "2"));
      expect(tap.events.filter((e) => e.event === "block").map((e) => e.id)).toEqual(["1", "2"]);
      seen[kind] = tap.txIds();
    }
    const both = [toHex(patientTx.id), toHex(otherTx.id)];
    expect(seen).toEqual({
      none: [],
      patient: [toHex(patientTx.id)],
      otherPatient: [toHex(otherTx.id)],
      device: [],
      custodianClinician: [],
      otherClinician: [],
      insurerAgent: [],
      regulator: [],
      // The `staff` business role gets no one else's events; operators get all.
      staff: [],
      operator: both,
      admin: both,
      delegate: [],
    });
  });

  it("lets no filter widen a patient's view, live or replayed from Last-Event-ID", async () => {
    const { node, base, signers } = await setup();
    const patient = signers.patient as Signer;
    const byType = "/v1/events?type=identity.register";
    const live = await Tap.open(base, byType, headersOf(patient, byType));
    taps.push(live);
    const first = [sampleTx(patient), sampleTx(signers.otherPatient as Signer)];
    await commit(node, first);
    // The patient's own transaction in block 2 marks the end of what it may receive.
    const last = sampleTx(patient);
    await commit(node, [sampleTx(signers.otherPatient as Signer), last]);
    await live.until("the patient's last tx", () => live.txIds().includes(toHex(last.id)));
    const own = [toHex((first[0] as SignedTx).id), toHex(last.id)];
    expect(live.txIds()).toEqual(own);

    const replayed = await Tap.open(base, "/v1/events", {
      "last-event-id": "0",
      ...headersOf(patient, "/v1/events"),
    });
    taps.push(replayed);
    await replayed.until("the replay", () => replayed.txIds().includes(toHex(last.id)));
    expect(replayed.txIds()).toEqual(own);
    expect(replayed.events.map((e) => e.id)).toEqual(["1", "1-0", "2", "2-1"]);
  });

  it("ends a signed stream at the first block after its key stops standing", async () => {
    const { node, base, signers } = await setup();
    const operator = signers.operator as Signer;
    const tap = await Tap.open(base, "/v1/events", headersOf(operator, "/v1/events"));
    taps.push(tap);
    await commit(node, [sampleTx(signers.patient as Signer)]);
    await tap.until("block 1", () => tap.events.some((e) => e.id === "1"));
    expect(tap.ended).toBe(false);
    node.callers.delete(toHex(operator.publicKey));
    await commit(node, []);
    await tap.until("the stream's end", () => tap.ended);
    // Reconnecting signs anew and meets the current rules: the key is no longer registered.
    const again = await fetch(`${base}/v1/events`, { headers: headersOf(operator, "/v1/events") });
    const refusal = (await again.json()) as { error: { code: string } };
    expect([again.status, refusal.error.code]).toEqual([403, "FORBIDDEN"]);
  });
});
