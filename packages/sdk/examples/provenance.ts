/**
 * The drug supply chain story on a running devnet: a manufacturer registers a product and
 * commissions serialised packs of two lots, packs a case, ships it to a distributor, which
 * receives and unpacks it and ships packs on to a pharmacy; the pharmacy receives and dispenses
 * one; the manufacturer recalls a lot; the distributor flags a pack suspect. Then packs in every
 * state are verified at their GS1 Digital Link, as a pharmacist's scanner would (unsigned), and
 * once by a trading partner (signed: custodian and EPCIS history), and the lot's packs, a pack's
 * history and the EPCIS events read back.
 *
 *   pnpm devnet   # in another terminal: starts a local network under .devnet/
 *   npx tsx --conditions=source packages/sdk/examples/provenance.ts http://127.0.0.1:8080 .devnet
 *
 * Arguments: a node's API URL and the devnet directory (its genesis, and the admin keys of its
 * manufacturer, distributor and pharmacy: `pnpm devnet` adds the supply-chain organizations a
 * small devnet lacks, with their admin keys under `orgs/`).
 */
import { CareLedgerClient, CareLedgerError, Provenance } from "@careledger/sdk";
import { openDevnet, run, step, WAIT } from "./devnet.js";

const YEAR_MS = 365 * 86_400_000;

/** The GS1 check digit of `digits` (NOTES.md 3.1: weights 3 and 1 from the right). */
function checkDigit(digits: string): string {
  const sum = [...digits].reverse().reduce((total, d, i) => total + Number(d) * (i % 2 ? 1 : 3), 0);
  return String((10 - (sum % 10)) % 10);
}

/** AI 17 as YYMMDD of a time. */
function yymmdd(ms: number): string {
  return new Date(ms).toISOString().slice(2, 10).replaceAll("-", "");
}

run(async () => {
  const [url, dir] = process.argv.slice(2);
  if (url === undefined || dir === undefined) {
    throw new Error("usage: provenance.ts <node url> <devnet directory>");
  }
  const devnet = await openDevnet(url, dir);
  const maker = await devnet.admin("manufacturer");
  const wholesale = await devnet.admin("distributor");
  const pharmacy = await devnet.admin("pharmacy");
  const prefix = maker.org.gs1CompanyPrefixes?.[0];
  if (prefix === undefined) throw new Error(`${maker.org.id} has no GS1 company prefix`);
  const head = await devnet.as(maker.admin).getBlock("latest");
  step(
    `height ${head.height}; manufacturer ${maker.org.id} (prefix ${prefix}), distributor ${wholesale.org.id}, pharmacy ${pharmacy.org.id}`,
  );

  // 1. People who handle packs.
  const packer = new Provenance(devnet.as(await devnet.person(maker, "manufacturer")));
  const distributor = new Provenance(devnet.as(await devnet.person(wholesale, "distributor")));
  const pharmacist = new Provenance(devnet.as(await devnet.person(pharmacy, "pharmacist")));
  step("registered a manufacturer's packer, a distributor's clerk and a pharmacist");

  // 2. A product under the manufacturer's prefix (a fresh item reference each run), two lots.
  const item = String(head.header.time % 10 ** (12 - prefix.length)).padStart(
    12 - prefix.length,
    "0",
  );
  const gtin13 = `${prefix}${item}`;
  const gtin = `0${gtin13}${checkDigit(gtin13)}`;
  await packer.registerProduct(
    {
      gtin,
      manufacturer: maker.org.id,
      name: "Amoxicillin 500 mg capsules, 21",
      form: "capsule",
      strength: "500 mg",
    },
    WAIT,
  );
  const expiry = yymmdd(head.header.time + 2 * YEAR_MS);
  const serials = ["1001", "1002", "1003", "1004", "1005", "1006"];
  await packer.commission({ gtin, manufacturer: maker.org.id, lot: "A1", expiry, serials }, WAIT);
  await packer.commission(
    { gtin, manufacturer: maker.org.id, lot: "B2", expiry, serials: ["2001", "2002"] },
    WAIT,
  );
  step(
    `product ${gtin}; commissioned lot A1 (${serials.length} packs) and lot B2 (2 packs), expiry ${expiry}`,
  );

  // 3. A case of four packs (an SSCC under the same prefix), shipped and received.
  const ssccBody = `0${prefix}${String(head.header.time).slice(-(16 - prefix.length))}`;
  const sscc = `${ssccBody}${checkDigit(ssccBody)}`;
  const inCase = [{ gtin, serials: ["1001", "1002", "1003", "1004"] }];
  await packer.packCase({ sscc, org: maker.org.id, packs: inCase }, WAIT);
  await packer.ship({ from: maker.org.id, to: wholesale.org.id, cases: [sscc] }, WAIT);
  step(`packed case ${sscc} and shipped it to ${wholesale.org.id}`);
  await distributor.receive({ to: wholesale.org.id, from: maker.org.id, cases: [sscc] }, WAIT);
  await distributor.unpackCase({ sscc, org: wholesale.org.id }, WAIT);
  step(`${wholesale.org.id} received the case and unpacked it`);

  // 4. On to the pharmacy; one pack dispensed, one still in transit; lot B2 recalled; a suspect.
  await distributor.ship(
    { from: wholesale.org.id, to: pharmacy.org.id, packs: [{ gtin, serials: ["1001", "1002"] }] },
    WAIT,
  );
  await pharmacist.receive(
    { to: pharmacy.org.id, from: wholesale.org.id, packs: [{ gtin, serials: ["1001", "1002"] }] },
    WAIT,
  );
  await pharmacist.dispense({ org: pharmacy.org.id, packs: [{ gtin, serials: ["1001"] }] }, WAIT);
  step(`${pharmacy.org.id} received 1001 and 1002 and dispensed 1001`);
  await distributor.ship(
    { from: wholesale.org.id, to: pharmacy.org.id, packs: [{ gtin, serials: ["1003"] }] },
    WAIT,
  );
  step("1003 is in transit to the pharmacy");
  await packer.recall({ gtin, lot: "B2", org: maker.org.id, reason: "quality", class: "II" }, WAIT);
  step("lot B2 recalled");
  await distributor.suspect(
    { org: wholesale.org.id, packs: [{ gtin, serials: ["1004"] }], reason: "tampered" },
    WAIT,
  );
  step("1004 flagged suspect (tampered) by the distributor");
  const recalled = await packer
    .ship({ from: maker.org.id, to: wholesale.org.id, packs: [{ gtin, serials: ["2001"] }] }, WAIT)
    .then(
      () => "shipped",
      (error: unknown) => (error instanceof CareLedgerError ? error.code : String(error)),
    );
  step(`shipping recalled 2001: ${recalled}`);

  // 5. Verification at the Digital Link, unsigned, as a scanner at any pharmacy would ask.
  const scanner = new Provenance(new CareLedgerClient(url));
  const link = (serial: string, lot: string, exp = expiry) =>
    `https://id.example.com/01/${gtin}/10/${lot}/21/${serial}?17=${exp}`;
  const cases: Array<[string, string]> = [
    ["1005 at the manufacturer", link("1005", "A1")],
    ["1002 at the pharmacy", link("1002", "A1")],
    ["1001 dispensed", link("1001", "A1")],
    ["1003 in transit", link("1003", "A1")],
    ["1004 suspect", link("1004", "A1")],
    ["2001 recalled", link("2001", "B2")],
    ["1005 with another lot", link("1005", "Z9")],
    ["1005 with another expiry", link("1005", "A1", "300101")],
    ["9999 never commissioned", link("9999", "A1")],
  ];
  for (const [what, uri] of cases) {
    const answer = await scanner.verify(uri, { corrUUID: crypto.randomUUID() });
    const status = answer["careledger:status"];
    const said = [
      `verified ${answer.data.verified}`,
      answer.data.verificationFailureReason,
      answer.data.additionalInfo,
      status &&
        `status ${status.status}${status.recalled ? ", recalled" : ""}${status.suspect ? ", suspect" : ""}`,
    ].filter(Boolean);
    step(`verify ${what}: ${said.join("; ")}`);
  }
  // Another item reference under the prefix, with its check digit: well-formed, never registered.
  const otherItem = `${prefix}${String((Number(item) + 1) % 10 ** item.length).padStart(item.length, "0")}`;
  const unknown = await scanner
    .verify(`https://id.example.com/01/0${otherItem}${checkDigit(otherItem)}/21/1`)
    .then(
      () => "answered",
      (error: unknown) =>
        error instanceof CareLedgerError ? `${error.code} (${error.status})` : String(error),
    );
  step(`verify an unregistered GTIN: ${unknown}`);

  // 6. A trading partner's signed verification adds the custodian and the EPCIS history.
  const partner = await distributor.verify(link("1002", "A1"), { signed: true });
  const history = partner["careledger:history"];
  const events =
    history && "eventList" in history.epcisBody ? (history.epcisBody.eventList as unknown[]) : [];
  step(
    `signed by the distributor: custodian ${partner["careledger:custodian"]}, ${events.length} EPCIS events`,
  );

  // 7. Reads: the lot's packs paged, a pack's history, EPCIS shipping events.
  const lot: string[] = [];
  for await (const pack of packer.lotPacksAll(gtin, "A1", { limit: 4 }))
    lot.push(`${pack.serial}:${pack.status}`);
  step(`lot A1, 4 a page: ${lot.join(" ")}`);
  const kinds: string[] = [];
  for await (const event of distributor.historyAll(gtin, "1002")) kinds.push(event.kind);
  step(`history of 1002: ${kinds.join(" -> ")}`);
  const shipping = await packer.epcis({ bizStep: ["shipping"], epc: link("1002", "A1") });
  step(`EPCIS shipping events of 1002 the manufacturer sees: ${shipping.items.length}`);
});
