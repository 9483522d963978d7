/**
 * Percent-encoding of Digital Link path segments and query values (NOTES 3.3), as GS1's
 * reference parser reads them: `%hh` (two hex digits) is one byte; a `%` not followed by two
 * hex digits is a literal `%` (a CSET 82 character); in a query value `+` is a space, in a path
 * segment a literal plus. Bytes are read as UTF-8, so a non-ASCII value decodes to characters
 * that CSET 82 then refuses.
 */
export type UriComponent = "path" | "query";

const HEX = "0123456789ABCDEF";
const UTF8 = new TextEncoder();
const UTF8_DECODER = new TextDecoder("utf-8");

/** The decoded text, or null if it decodes to a NUL byte (which every AI value refuses). */
export function percentDecode(text: string, component: UriComponent): string | null {
  const bytes: number[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text.charCodeAt(at);
    if (char === 0x25 && isHex(text, at + 1) && isHex(text, at + 2)) {
      const byte = Number.parseInt(text.slice(at + 1, at + 3), 16);
      if (byte === 0) return null;
      bytes.push(byte);
      at += 3;
    } else if (char === 0x2b && component === "query") {
      bytes.push(0x20);
      at += 1;
    } else if (char === 0) {
      return null;
    } else {
      const codePoint = text.codePointAt(at) ?? char;
      const character = String.fromCodePoint(codePoint);
      for (const byte of UTF8.encode(character)) bytes.push(byte);
      at += character.length;
    }
  }
  return UTF8_DECODER.decode(new Uint8Array(bytes));
}

/**
 * Escapes all but the URI unreserved characters (`A-Z a-z 0-9 - . _ ~`), as the reference's
 * generator does: `+` in a path becomes `%2B` (unambiguous to any decoder), a space in a query
 * value `+`.
 */
export function percentEncode(text: string, component: UriComponent): string {
  let out = "";
  for (const byte of UTF8.encode(text)) {
    if (isUnreserved(byte)) out += String.fromCharCode(byte);
    else if (byte === 0x20 && component === "query") out += "+";
    else out += `%${HEX[byte >> 4]}${HEX[byte & 0x0f]}`;
  }
  return out;
}

function isHex(text: string, at: number): boolean {
  const char = text.charCodeAt(at);
  return (
    (char >= 0x30 && char <= 0x39) ||
    (char >= 0x41 && char <= 0x46) ||
    (char >= 0x61 && char <= 0x66)
  );
}

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d ||
    byte === 0x2e ||
    byte === 0x5f ||
    byte === 0x7e
  );
}
