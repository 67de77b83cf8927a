/**
 * The service log. Personal data never goes in it: no bodies, no query strings
 * (they can hold a personnummer), no tokens — only method, path, status, timing
 * and the request id. https://getpino.io/#/docs/redaction
 */
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'samplan' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.authorization', '*.token', '*.secret'], censor: '[redacted]' },
  });
}
