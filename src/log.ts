import pino from 'pino';

/**
 * The one logger of the process. JSON lines on stderr, so that stdout stays
 * free for what a command prints (`--json` output); scope fields such as
 * requestId, orgId, jobId are added with `log.child({...})`. Keys and JWTs
 * are redacted should one ever reach a log call by mistake.
 */
export const log = pino(
  {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service: 'scoring' },
    redact: {
      paths: ['authorization', 'headers.authorization', 'key', 'jwt', 'token', '*.key', '*.jwt'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  },
  pino.destination(2),
);

export type Logger = typeof log;
