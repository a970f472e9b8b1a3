import type { Sql } from 'postgres';
import type { Dataset } from './seed.js';
import type { Service, Stack } from './stack.js';
import { now, sleep } from './stats.js';

export interface Options {
  quick: boolean;
  large: boolean;
  seed: string;
  /** Object counts for W1, smallest first. */
  sizes: number[];
  reps: number;
  /** Objects in the per-object baseline's sample. */
  perObjectSample: number;
  readSeconds: number;
  readConnections: number;
  freshnessSamples: number;
  bulkRequests: number;
  bulkConcurrency: number;
}

export interface Context {
  options: Options;
  stack: Stack;
  data: Dataset;
  sql: Sql;
  apiKey: string;
  jwt: string;
  /** The harness's own graphile-worker process (bench/baseline-worker.ts). */
  baselineWorker: Service;
  /** The profile W1 left scored for W2 and W3. */
  scoredProfile?: { id: string; objects: number };
  progress(message: string): void;
}

/**
 * Waits until no job of the given tasks is left and the profile has
 * `expectedRows` latest scores. Returns the time it saw both. Polls the small
 * jobs table every 25 ms and counts scores only once it is empty, so that the
 * polling itself costs the measured work next to nothing.
 */
export async function waitForScores(
  sql: Sql,
  profileId: string,
  expectedRows: number,
  tasks: string[],
  timeoutMs = 30 * 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let settledSince: number | null = null;
  while (Date.now() < deadline) {
    const [jobs] = await sql<{ waiting: number; failed: number; error: string | null }[]>`
      select count(*)::int as waiting,
        count(*) filter (where j.last_error is not null)::int as failed,
        max(j.last_error) as error
      from graphile_worker._private_jobs as j
      join graphile_worker._private_tasks as t on t.id = j.task_id
      where t.identifier = any(${tasks}::text[])`;
    if (jobs!.failed > 0) throw new Error(`a ${tasks.join('/')} job failed: ${jobs!.error}`);
    if (jobs!.waiting === 0) {
      const seen = now();
      const [{ rows }] = await sql<{ rows: number }[]>`
        select count(*)::int as rows from scoring.scores where profile_id = ${profileId}`;
      if (rows === expectedRows) return seen;
      settledSince ??= Date.now();
      if (Date.now() - settledSince > 10_000) {
        throw new Error(`no jobs left but ${rows} of ${expectedRows} scores exist`);
      }
    } else {
      settledSince = null;
    }
    await sleep(25);
  }
  throw new Error(`scores not complete within ${timeoutMs / 1000} s`);
}

/** Flushes dirty buffers so that each timed run starts from a similar state. */
export async function settle(sql: Sql): Promise<void> {
  await sql`checkpoint`.catch(() => {});
}
