/**
 * A graphile-worker process for the harness's own jobs, configured like the
 * project's worker (src/worker.ts: same poll interval and concurrency):
 *
 * - `bench_compute_one`: the per-object baseline of W1 (b), the shape of the
 *   reference system: one job and one transaction per object, calling the
 *   same scoring.compute with a single id.
 * - `bench_noop`: an empty job for W3's baseline; it records the time from
 *   add_job to the task starting.
 *
 * The project's worker does not know these task names, so it never takes
 * their jobs.
 */
import { run, type Task } from 'graphile-worker';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');

const computeOne: Task = async (payload, helpers) => {
  const { profileId, objectId } = payload as { profileId: string; objectId: string };
  await helpers.withPgClient((client) =>
    client.query('select scoring.compute($1, array[$2]::text[])', [profileId, objectId]),
  );
};

const noop: Task = async (payload, helpers) => {
  const started = Date.now();
  const { sample, addedAt } = payload as { sample: number; addedAt: number };
  await helpers.withPgClient((client) =>
    client.query('insert into bench.job_latency (sample, latency_ms) values ($1, $2)', [
      sample,
      started - addedAt,
    ]),
  );
};

const runner = await run({
  connectionString: databaseUrl,
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 2),
  pollInterval: 2000,
  noHandleSignals: true,
  taskList: { bench_compute_one: computeOne, bench_noop: noop },
});
process.stdout.write('ready\n');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void runner.stop().then(() => process.exit(0)));
}
await runner.promise;
