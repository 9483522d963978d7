import QRCode from "qrcode";

/**
 * A URI as a QR code (ISO/IEC 18004), in the two forms the responder serves: SVG for pages and
 * print, PNG for labels. Error correction M (15%), the usual choice for a URI on a pack.
 */
const OPTIONS = { errorCorrectionLevel: "M", margin: 4 } as const;

export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { ...OPTIONS, type: "svg" });
}

export async function qrPng(text: string): Promise<Uint8Array> {
  const buffer = await QRCode.toBuffer(text, { ...OPTIONS, type: "png", scale: 4 });
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
