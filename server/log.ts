import { pino } from 'pino';
import { config } from './config.js';

/** The process logger: JSON lines; secrets are redacted here, once, for every caller. */
export const log = pino({
  level: config.logLevel,
  redact: {
    paths: [
      'req.headers.authorization',
      'req.headers.cookie',
      'req.headers["x-csrf-token"]',
      'res.headers["set-cookie"]',
      'databaseUrl',
      'password',
      '*.password',
    ],
    censor: '***',
  },
});

export type Logger = typeof log;
