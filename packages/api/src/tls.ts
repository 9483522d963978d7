import type { EventEmitter } from "node:events";
import type { ServerOptions } from "node:https";
import type { TLSSocket } from "node:tls";

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
   * With `clientCa`: a client without a certificate that CA issued is refused in the handshake,
   * before any HTTP. False: a client may come without one (while applications move onto
   * certificates one by one), but one that presents a certificate the CA did not issue is still
   * cut off as soon as the handshake ends.
   */
  readonly requireClientCert: boolean;
}

/** The options fastify hands to `https.createServer`. */
export function httpsServerOptions(tls: ApiTls): ServerOptions {
  if (tls.clientCa === undefined) return { cert: tls.cert, key: tls.key };
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.clientCa,
    requestCert: true,
    rejectUnauthorized: tls.requireClientCert,
  };
}

/**
 * Where client certificates are optional, Node accepts any certificate a client presents:
 * close the connection of one whose certificate did not verify. `server` is fastify's HTTPS
 * server (typed as its plain HTTP one). Node's HTTP layer subscribed to
 * `secureConnection` first, but reads nothing before this listener runs in the same tick.
 */
export function refuseUnverifiedClientCerts(server: EventEmitter): void {
  server.on("secureConnection", (socket: TLSSocket) => {
    const presented = Object.keys(socket.getPeerCertificate()).length > 0;
    if (presented && !socket.authorized) socket.destroy();
  });
}
