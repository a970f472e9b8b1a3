import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { run, type Runner, type WorkerEvents } from 'graphile-worker';
import { log } from './log.js';
import { connect } from './services.js';
import { graphileLogger } from './worker-log.js';

export const JOBS_DIR = resolve(import.meta.dirname, '../jobs');

/**
 * How often this process records that its workers are alive. The sweep
 * presumes a worker dead after 30 s without a beat (jobs/sweep_stale_workers),
 * so a few missed beats are tolerated.
 */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/** How often this process queues the stale-worker sweep (one job_key). */
export const SWEEP_INTERVAL_MS = 10_000;

export interface WorkerOptions {
  databaseUrl: string;
  concurrency: number;
}

/**
 * Starts a graphile-worker runner over the task files in jobs/, with worker
 * heartbeats and the periodic stale-worker sweep that together recover the
 * jobs of a killed worker within a minute.
 */
export async function startWorker(options: WorkerOptions): Promise<Runner> {
  const events: WorkerEvents = new EventEmitter();
  const workerIds = new Set<string>();
  events.on('worker:create', ({ worker }) => workerIds.add(worker.workerId));
  events.on('worker:release', ({ worker }) => workerIds.delete(worker.workerId));

  const runner = await run({
    connectionString: options.databaseUrl,
    concurrency: options.concurrency,
    taskDirectory: JOBS_DIR,
    logger: graphileLogger,
    events,
    noHandleSignals: true,
    // Jobs due later (answer writes wait a second to coalesce) are found by
    // polling, not by NOTIFY, so this bounds how late such a job starts.
    pollInterval: 250,
    // Task files are TypeScript, loaded through tsx (see bin/scoring.js).
    preset: { worker: { fileExtensions: ['.ts', '.js'] } },
  });

  const sql = connect(options.databaseUrl, 1);
  const beat = () =>
    sql`select scoring.beat_workers(${[...workerIds]}::text[])`.catch((error: unknown) =>
      log.warn({ err: error }, 'worker heartbeat failed'),
    );
  const queueSweep = () =>
    runner
      .addJob(
        'sweep_stale_workers',
        {},
        {
          jobKey: 'sweep_stale_workers',
          jobKeyMode: 'preserve_run_at',
          maxAttempts: 1,
        },
      )
      .catch((error: unknown) => log.warn({ err: error }, 'queueing the sweep failed'));
  await beat();
  await queueSweep();
  const timers = [
    setInterval(beat, HEARTBEAT_INTERVAL_MS),
    setInterval(queueSweep, SWEEP_INTERVAL_MS),
  ];

  const stopTimers = async () => {
    for (const timer of timers) clearInterval(timer);
    await sql.end({ timeout: 1 });
  };
  const stop = runner.stop.bind(runner);
  runner.stop = async (reason?: string) => {
    await stopTimers();
    await stop(reason);
  };
  return runner;
}
