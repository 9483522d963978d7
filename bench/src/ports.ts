import { createServer } from "node:net";

const PORT_BASE_MIN = 20_000;
const PORT_BASE_SPAN = 30_000;
const PORT_SEARCH_ATTEMPTS_MAX = 50;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

/** A base port from which `count` consecutive ports on 127.0.0.1 are free right now. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < PORT_SEARCH_ATTEMPTS_MAX; attempt++) {
    const base = PORT_BASE_MIN + Math.floor(Math.random() * PORT_BASE_SPAN);
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => portIsFree(base + i)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
