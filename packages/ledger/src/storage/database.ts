import { Level } from "level";

/** The node's one database: binary keys and values throughout (layout.ts). */
export type Database = Level<Uint8Array, Uint8Array>;

export async function openDatabase(dir: string): Promise<Database> {
  const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
  await db.open();
  return db;
}

/** LevelDB hands back Buffers; callers get plain Uint8Arrays, as from every other API of ours. */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
