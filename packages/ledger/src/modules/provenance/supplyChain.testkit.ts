import { gs1CheckDigit } from "@careledger/gs1";
import {
  type Canonical,
  type PackGroup,
  type PackView,
  parseGenesis,
  type QueryCaller,
  type Receipt,
  type SignedTx,
  type Signer,
  toHex,
} from "@careledger/protocol";
import { expect } from "vitest";
import { castCaller, registerCast } from "../../testing/cast.js";
import { seededKey, type TestChain, testChain } from "../../testing/fixtures.js";
import { Harness } from "../../testing/harness.js";
import { nodeSigner } from "../../testing/nodeCrypto.js";

/**
 * A small supply chain for the provenance tests: org-0 a manufacturer (GS1 company prefixes
 * 952012 and the U.P.C. one 012000, written 0012000), org-1 a distributor, org-2 a pharmacy, org-3 a regulator,
 * org-4 another distributor; one key of each role, registered in block 1.
 */
const KINDS = ["manufacturer", "distributor", "pharmacy", "regulator", "distributor"] as const;
export const PREFIXES = ["952012", "0012000"];
/** The manufacturer's GLN: the responderGLN of its verification answers. */
export const MAKER_GLN = "9520123000004";

const key = (index: number) => nodeSigner(seededKey("supply-chain", index));

export const PEOPLE = {
  maker: { signer: key(1), org: 0, roles: ["manufacturer"] },
  wholesaler: { signer: key(2), org: 1, roles: ["distributor"] },
  pharmacist: { signer: key(3), org: 2, roles: ["pharmacist"] },
  inspector: { signer: key(4), org: 3, roles: ["regulator"] },
  rival: { signer: key(5), org: 4, roles: ["distributor"] },
  /** A manufacturer's role at the distributor: not the product's manufacturer. */
  otherMaker: { signer: key(6), org: 1, roles: ["manufacturer"] },
  /** A regulator's role the distributor's admin gave a key: not a regulator. */
  falseInspector: { signer: key(7), org: 1, roles: ["regulator"] },
} as const;
export type Person = keyof typeof PEOPLE;
export const ORG = {
  maker: "org-0",
  wholesaler: "org-1",
  pharmacy: "org-2",
  regulator: "org-3",
  rival: "org-4",
} as const;

/** A valid GTIN-14 in the manufacturer's prefix 952012: item reference `item` (5 digits). */
export const gtinOf = (item: number) => {
  const body = `0952012${String(item).padStart(6, "0")}`;
  return `${body}${gs1CheckDigit(body)}`;
};
export const GTIN = "09520123456788";
/** A valid SSCC: extension 1, the manufacturer's prefix, serial reference `n`. */
export const ssccOf = (n: number) => {
  const body = `1952012${String(n).padStart(10, "0")}`;
  return `${body}${gs1CheckDigit(body)}`;
};
export const serials = (count: number, from = 1) =>
  Array.from({ length: count }, (_, i) => `S${from + i}`);

function supplyChain(): TestChain {
  const base = testChain(5, 10, 4, KINDS);
  const genesis = parseGenesis({
    ...base.genesis,
    organizations: base.genesis.organizations.map((org, index) =>
      index === 0 ? { ...org, gs1CompanyPrefixes: PREFIXES, gln: MAKER_GLN } : org,
    ),
  });
  return { genesis, orgs: base.orgs };
}

export class SupplyChain {
  private constructor(readonly h: Harness) {}

  static async create(label: string): Promise<SupplyChain> {
    const h = await Harness.create(label, supplyChain());
    await registerCast(h, PEOPLE);
    return new SupplyChain(h);
  }

  /** A fresh chain whose product GTIN is registered: where most tests start. */
  static async withProduct(label: string): Promise<SupplyChain> {
    const w = await SupplyChain.create(label);
    await w.register();
    return w;
  }

  signer(who: Person): Signer {
    return PEOPLE[who].signer;
  }

  hex(who: Person): string {
    return toHex(PEOPLE[who].signer.publicKey);
  }

  /** The verified caller a signed request of `who` makes. */
  caller(who: Person): QueryCaller {
    return castCaller(PEOPLE[who]);
  }

  get time(): number {
    return this.h.ledger.head.time;
  }

  tx(type: string, payload: Record<string, unknown>, by: Person): SignedTx {
    return this.h.tx(type, payload as Canonical, this.signer(by));
  }

  /** Commits the transaction alone; fails the test unless it succeeded. */
  async ok(type: string, payload: Record<string, unknown>, by: Person, stepMs = 1000) {
    const [receipt] = await this.h.block([this.tx(type, payload, by)], stepMs);
    if (receipt?.status !== "ok") throw new Error(`${type} failed: ${JSON.stringify(receipt)}`);
    return receipt as Receipt & { status: "ok" };
  }

  /** Commits the transaction alone and expects it to fail with `code`, changing nothing. */
  async fails(type: string, payload: Record<string, unknown>, by: Person, code: string) {
    const { receipt, stateChanged } = await this.h.single(this.tx(type, payload, by));
    expect(receipt, type).toMatchObject({ status: "failed", code });
    expect(stateChanged).toBe(false);
  }

  /** Expects the transaction kept out of any block by its schema (TX_PAYLOAD_INVALID). */
  async refused(type: string, payload: Record<string, unknown>, by: Person) {
    const built = await this.h.build([this.tx(type, payload, by)]);
    expect(built.excluded.map((tx) => tx.code)).toEqual(["TX_PAYLOAD_INVALID"]);
  }

  register(gtin = GTIN) {
    return this.ok(
      "product.register",
      {
        gtin,
        manufacturer: ORG.maker,
        name: "Amoxicillin 500 mg",
        form: "capsule",
        strength: "500 mg",
      },
      "maker",
    );
  }

  commission(list: readonly string[], lot = "L1", expiry = "301231", gtin = GTIN) {
    return this.ok(
      "pack.commission",
      { gtin, manufacturer: ORG.maker, lot, expiry, serials: [...list] },
      "maker",
    );
  }

  /** Ships loose packs and cases from one org to another, and has the addressee receive them. */
  async move(
    from: Person,
    to: Person,
    packs: PackGroup[],
    cases: string[] = [],
    verified: Record<string, unknown>[] = [],
  ) {
    const [fromOrg, toOrg] = [`org-${PEOPLE[from].org}`, `org-${PEOPLE[to].org}`];
    await this.ok("pack.ship", { from: fromOrg, to: toOrg, packs, cases }, from);
    return this.ok("pack.receive", { to: toOrg, from: fromOrg, packs, cases, verified }, to);
  }

  /** A query as `who` asks it, `"anonymous"` unsigned; an org-0 admin (an operator) by default. */
  query(name: string, params: Record<string, unknown>, who?: Person | "anonymous") {
    if (who === undefined) return this.h.query(name, params);
    return this.h.query(name, params, who === "anonymous" ? null : this.caller(who));
  }

  /** A pack as an operator reads it (`pack.get`). */
  async pack(serial: string, gtin = GTIN): Promise<PackView> {
    return (await this.query("pack.get", { gtin, serial })) as PackView;
  }

  /** The code a query as `who` fails with. */
  async queryFails(name: string, params: Record<string, unknown>, who: Person): Promise<string> {
    try {
      await this.query(name, params, who);
    } catch (error) {
      return (error as { code: string }).code;
    }
    throw new Error(`${name} answered ${who}`);
  }

  close(): Promise<void> {
    return this.h.close();
  }
}

export const packsOf = (list: readonly string[], gtin = GTIN): PackGroup[] => [
  { gtin, serials: [...list] },
];
