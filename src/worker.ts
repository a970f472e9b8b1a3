import { resolve } from 'node:path';
import { run, type Runner } from 'graphile-worker';
import { graphileLogger } from './worker-log.js';

export const JOBS_DIR = resolve(import.meta.dirname, '../jobs');

export interface WorkerOptions {
  databaseUrl: string;
  concurrency: number;
}

/** Starts a graphile-worker runner over the task files in jobs/. */
export async function startWorker(options: WorkerOptions): Promise<Runner> {
  return run({
    connectionString: options.databaseUrl,
    concurrency: options.concurrency,
    taskDirectory: JOBS_DIR,
    logger: graphileLogger,
    noHandleSignals: true,
    pollInterval: 2000,
    // Task files are TypeScript, loaded through tsx (see bin/scoring.js).
    preset: { worker: { fileExtensions: ['.ts', '.js'] } },
  });
}
