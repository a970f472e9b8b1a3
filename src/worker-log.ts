import { Logger as GraphileLogger } from 'graphile-worker';
import { log } from './log.js';

const levels = { error: 'error', warning: 'warn', info: 'debug', debug: 'trace' } as const;

/** graphile-worker's log calls routed into the process logger. */
export const graphileLogger = new GraphileLogger((scope) => {
  const child = log.child({ component: 'worker', ...scope });
  return (level, message, meta) => {
    const method = levels[level as keyof typeof levels] ?? 'info';
    child[method](meta ?? {}, message);
  };
});
