import type { ServerOptions } from "node:https";
import type { TLSSocket } from "node:tls";
import { CareLedgerError } from "@careledger/protocol";
import type { FastifyInstance } from "fastify";

/** TLS for the API (fastify's `https`): the server's certificate, and optionally its clients'. */
export interface ApiTls {
  /** The server's certificate chain, PEM. */
  readonly cert: string | Buffer;
  /** Its private key, PEM. */
  readonly key: string | Buffer;
  /**
   * The CA (PEM, one or more) that issues member applications' client certificates. Absent, the
   * server asks for none.
   */
  readonly clientCa?: string | Buffer;
  /**
   * With `clientCa`: every request needs a certificate that CA issued. False: a client may come
   * without one (while applications move onto certificates one by one), but one that presents
   * a certificate the CA did not issue is still refused.
   */
  readonly requireClientCert: boolean;
}

/**
 * The options fastify hands to `https.createServer`. A client certificate is asked for but not
 * enforced in the handshake: under TLS 1.3 the server's refusal there reaches the client as an
 * alert on a connection it already thinks open, which Node's fetch reports as "other side
 * closed" (or the reset loses it), so the client cannot tell it from a network failure. Refused at the first request hook instead, the
 * client gets CLIENT_CERT_REQUIRED, in Node and in browsers alike.
 */
export function httpsServerOptions(tls: ApiTls): ServerOptions {
  if (tls.clientCa === undefined) return { cert: tls.cert, key: tls.key };
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.clientCa,
    requestCert: true,
    rejectUnauthorized: false,
  };
}

/**
 * Refuses, before anything else runs for it, a request over a connection whose client
 * certificate did not verify against the client CA, or (when required) that presented none.
 */
export function registerClientCertCheck(app: FastifyInstance, tls: ApiTls): void {
  if (tls.clientCa === undefined) return;
  app.addHook("onRequest", async (request) => {
    const socket = request.raw.socket as TLSSocket;
    if (socket.authorized) return;
    const presented = Object.keys(socket.getPeerCertificate()).length > 0;
    if (!presented && !tls.requireClientCert) return;
    const reason = String(socket.authorizationError);
    throw new CareLedgerError(
      "CLIENT_CERT_REQUIRED",
      presented
        ? `client certificate refused: ${reason}`
        : "a client certificate issued by this node's member CA is required",
      presented ? { certificate: "untrusted", reason } : { certificate: "absent" },
    );
  });
}
