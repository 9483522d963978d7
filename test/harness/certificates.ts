import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

// @peculiar/x509 signs through WebCrypto: Node's own, so nothing else is needed.
x509.cryptoProvider.set(webcrypto);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const VALID_MS = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM. */
export interface IssuedPem {
  readonly cert: string;
  readonly key: string;
}

/** A certificate authority made for one test: it issues server and client certificates. */
export class TestCa {
  private serial = 1;

  private constructor(
    private readonly keys: webcrypto.CryptoKeyPair,
    private readonly certificate: x509.X509Certificate,
  ) {}

  /** The CA's certificate, PEM: what a client (or the server, for client certificates) trusts. */
  get cert(): string {
    return this.certificate.toString("pem");
  }

  static async create(name: string): Promise<TestCa> {
    const keys = await newKeys();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: `CN=${name}`,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + VALID_MS),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new TestCa(keys, certificate);
  }

  /** A server certificate for 127.0.0.1 and localhost. */
  server(name: string): Promise<IssuedPem> {
    return this.issue(name, x509.ExtendedKeyUsage.serverAuth, [
      { type: "ip", value: "127.0.0.1" },
      { type: "dns", value: "localhost" },
    ]);
  }

  /** A client certificate, as a member's application would present. */
  client(name: string): Promise<IssuedPem> {
    return this.issue(name, x509.ExtendedKeyUsage.clientAuth, []);
  }

  private async issue(
    name: string,
    usage: string,
    names: x509.JsonGeneralName[],
  ): Promise<IssuedPem> {
    const keys = await newKeys();
    this.serial += 1;
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: this.serial.toString(16).padStart(2, "0"),
      subject: `CN=${name}`,
      issuer: this.certificate.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + VALID_MS),
      publicKey: keys.publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
        await x509.AuthorityKeyIdentifierExtension.create(this.certificate),
      ],
    });
    return { cert: certificate.toString("pem"), key: await privateKeyPem(keys) };
  }
}

function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, [
    "sign",
    "verify",
  ]) as Promise<webcrypto.CryptoKeyPair>;
}

async function privateKeyPem(keys: webcrypto.CryptoKeyPair): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return x509.PemConverter.encode(pkcs8, "PRIVATE KEY");
}
