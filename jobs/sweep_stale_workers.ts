import type { Task } from 'graphile-worker';
import { log } from '../src/log.js';

/**
 * A worker whose heartbeat is older than this is presumed dead. Heartbeats
 * come every HEARTBEAT_INTERVAL_MS (src/worker.ts), so this allows several
 * missed beats, e.g. during a long garbage collection or a database failover.
 */
export const STALE_AFTER_SECONDS = 30;

/**
 * Unlocks the jobs of workers that stopped beating (killed, frozen, lost
 * their network), so that live workers retry them within a minute instead
 * of the four hours stock graphile-worker waits. Every worker process
 * queues this task every few seconds under one job_key (src/worker.ts), so
 * at most one sweep waits at a time and any live worker runs it.
 */
const sweepStaleWorkers: Task = async (_payload, helpers) => {
  const { rows } = await helpers.withPgClient((client) =>
    client.query<{ workers: string[] }>(
      'select scoring.sweep_stale_workers(make_interval(secs => $1)) as workers',
      [STALE_AFTER_SECONDS],
    ),
  );
  const workers = rows[0]?.workers ?? [];
  if (workers.length > 0) {
    log.warn({ task: 'sweep_stale_workers', workers }, 'unlocked the jobs of stale workers');
  }
};

export default sweepStaleWorkers;
