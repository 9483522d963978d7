// Node only (`@careledger/sdk/node-tls`), never imported by the main entry: browsers apply their
// own trust store and client certificates, and undici must stay out of their bundles.
import { CareLedgerError } from "@careledger/protocol";
import { Agent } from "undici";

/** What a client trusts and presents on a node's HTTPS API. */
export interface NodeTlsOptions {
  /**
   * CA certificates (PEM) trusted for the node's certificate. They replace Node's default roots
   * for this client; pass `[...tls.rootCertificates, ca]` to keep those too. Absent, the defaults.
   */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** A client certificate (PEM) for a node that authenticates member applications by one. */
  readonly cert?: string | Buffer;
  /** The client certificate's private key (PEM). */
  readonly key?: string | Buffer;
}

/** A fetch over its own connection pool with these TLS settings; `close` ends the pool. */
export interface NodeTls {
  readonly fetch: typeof fetch;
  close(): Promise<void>;
}

/**
 * A fetch for `new CareLedgerClient(url, {fetch})` that trusts `ca` and presents `cert`: Node's
 * global fetch with an undici Agent as its dispatcher (the `undici` package matches the version
 * bundled with Node 20, so the two agree on the dispatcher interface).
 */
export function nodeTls(options: NodeTlsOptions): NodeTls {
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new CareLedgerError(
      "BAD_REQUEST",
      "a client certificate needs its key, and a key its certificate",
    );
  }
  const dispatcher = new Agent({
    connect: {
      ...(options.ca !== undefined && { ca: [options.ca].flat() }),
      ...(options.cert !== undefined && { cert: options.cert, key: options.key }),
    },
  });
  return {
    fetch: (input, init) => fetch(input, { ...init, dispatcher } as RequestInit),
    close: () => dispatcher.close(),
  };
}
