import { CareLedgerError } from "./errors.js";

/**
 * Walks MessagePack bytes without building anything, so hostile input is refused before the
 * decoder allocates for it: every declared length must fit in the bytes that are left, nesting
 * and value count are bounded, map keys are strings, and the types outside the canonical model
 * (floats, extensions, the reserved byte) are refused. Trailing bytes are refused too.
 */
export function scanMsgpack(bytes: Uint8Array, depthMax: number, valuesMax: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Each frame counts the values still expected in one container; maps expect key, value, ...
  const remaining: number[] = [1];
  const isMap: boolean[] = [false];
  let position = 0;
  let values = 0;

  const fail = (reason: string): never => {
    throw new CareLedgerError("ENCODING_INVALID", `${reason} at byte ${position}`);
  };
  const need = (count: number): void => {
    if (position + count > bytes.byteLength) fail("truncated input");
  };
  const length = (size: 1 | 2 | 4): number => {
    need(size);
    const at = position;
    position += size;
    if (size === 1) return view.getUint8(at);
    if (size === 2) return view.getUint16(at);
    return view.getUint32(at);
  };
  const open = (count: number, map: boolean): void => {
    const children = map ? count * 2 : count;
    // Every value takes at least one byte, so a count beyond what is left is a lie.
    if (children > bytes.byteLength - position) fail("container longer than its input");
    if (remaining.length > depthMax) fail("nesting too deep");
    remaining.push(children);
    isMap.push(map);
  };

  while (remaining.length > 0) {
    const top = remaining.length - 1;
    const left = remaining[top] ?? 0;
    if (left === 0) {
      remaining.pop();
      isMap.pop();
      continue;
    }
    remaining[top] = left - 1;
    values += 1;
    if (values > valuesMax) fail("too many values");
    need(1);
    const type = view.getUint8(position);
    const keyExpected = isMap[top] === true && left % 2 === 0;
    if (keyExpected && !(type >= 0xa0 && type <= 0xbf) && !(type >= 0xd9 && type <= 0xdb)) {
      fail("map key that is not a string");
    }
    position += 1;
    if (type <= 0x7f || type >= 0xe0 || type === 0xc0 || type === 0xc2 || type === 0xc3) continue;
    if (type <= 0x8f) open(type & 0x0f, true);
    else if (type <= 0x9f) open(type & 0x0f, false);
    else if (type <= 0xbf) skip(type & 0x1f);
    else if (type === 0xc4 || type === 0xd9) skip(length(1));
    else if (type === 0xc5 || type === 0xda) skip(length(2));
    else if (type === 0xc6 || type === 0xdb) skip(length(4));
    else if (type >= 0xcc && type <= 0xd3) skip(1 << (type & 0x03));
    else if (type === 0xdc) open(length(2), false);
    else if (type === 0xdd) open(length(4), false);
    else if (type === 0xde) open(length(2), true);
    else if (type === 0xdf) open(length(4), true);
    else fail(`type byte 0x${type.toString(16)} is outside the canonical model`);
  }
  if (position !== bytes.byteLength) fail("trailing bytes");

  function skip(count: number): void {
    need(count);
    position += count;
  }
}
