import type { VerificationAnswer } from "@careledger/protocol";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

/**
 * The verification answer as a plain HTML page, for a person who scanned the pack with a phone
 * (the web console will give it a design; this says the same as the JSON answer, no more).
 */
export function verificationPage(
  answer: VerificationAnswer,
  pack: { gtin: string; serial: string; lot?: string; expiry?: string },
): string {
  const { data } = answer;
  const status = answer["careledger:status"];
  const rows: Array<[string, string | undefined]> = [
    ["GTIN", pack.gtin],
    ["Serial", pack.serial],
    ["Lot", pack.lot],
    ["Expiry (YYMMDD)", pack.expiry],
    ["Failure reason", data.verificationFailureReason],
    ["Additional information", data.additionalInfo],
    ["Status", status?.status],
    ["Checked at", answer.verificationTimestamp],
  ];
  const list = rows
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join("");
  const title = data.verified ? "Product identifier verified" : "Product identifier not verified";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><dl>${list}</dl></body></html>`;
}
