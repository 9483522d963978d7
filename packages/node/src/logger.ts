import pino, { type Logger } from "pino";

export type { Logger };

/**
 * One JSON line per event; in a terminal the same events are printed readably by pino-pretty
 * (in a worker thread, off the node's event loop).
 */
export function createLogger(level: string, nodeName: string): Logger {
  const options = { level, base: { node: nodeName } };
  if (process.stdout.isTTY) {
    return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true } } });
  }
  return pino(options);
}
