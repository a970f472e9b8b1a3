import type { JobHelpers, Task } from 'graphile-worker';
import { UUID_PATTERN } from '../src/ids.js';
import { log } from '../src/log.js';

/**
 * Objects per `scoring.compute` call, each call its own transaction. A
 * thousand keeps a transaction well under a second on modest hardware (see
 * docs/tuning.md) while the set-based statement still amortises its plan.
 */
export const COMPUTE_CHUNK = 1000;

/**
 * The payload is an array of `{profileId, objectIds}` batches: the triggers
 * queue one batch per profile under a per-profile job_key, and
 * graphile-worker appends the batches of later changes to a waiting job.
 * Returns the distinct object ids per profile; malformed items are skipped.
 */
export function batchesOf(payload: unknown): Map<string, Set<string>> {
  const byProfile = new Map<string, Set<string>>();
  for (const item of Array.isArray(payload) ? payload : []) {
    const { profileId, objectIds } = (item ?? {}) as Record<string, unknown>;
    if (
      typeof profileId !== 'string' ||
      !UUID_PATTERN.test(profileId) ||
      !Array.isArray(objectIds)
    ) {
      continue;
    }
    const ids = byProfile.get(profileId) ?? new Set<string>();
    for (const id of objectIds) if (typeof id === 'string') ids.add(id);
    byProfile.set(profileId, ids);
  }
  return byProfile;
}

/**
 * A failed batch is queued again after this delay, under the profile's
 * job_key, instead of relying on this job's own retry: if a newer change
 * superseded this job while it ran, graphile-worker will never retry it.
 */
const RETRY_DELAY_SECONDS = 10;

/**
 * Recomputes the scores of the payload's objects, set-based, a chunk per
 * transaction. `scoring.compute` re-reads every rule, answer and assignment,
 * so a job that runs late or twice still writes correct scores; objects no
 * longer assigned are skipped there.
 */
const recomputeScores: Task = async (payload, helpers) => {
  const jobLog = log.child({ task: 'recompute_scores', jobId: helpers.job.id });
  try {
    for (const [profileId, ids] of batchesOf(payload)) {
      const computed = await computeAll(helpers, profileId, [...ids].sort());
      jobLog.debug({ profileId, requested: ids.size, computed }, 'scores computed');
    }
  } catch (error) {
    // Queued again first, so that no object is lost whatever happens to
    // this job; the error is still thrown so that it is recorded and logged.
    await helpers
      .withPgClient((client) =>
        client.query('select scoring.requeue_recompute_jobs($1, make_interval(secs => $2))', [
          [helpers.job.id],
          RETRY_DELAY_SECONDS,
        ]),
      )
      .catch((requeueError: unknown) =>
        jobLog.error({ err: requeueError }, 'queueing a failed batch again failed'),
      );
    throw error;
  }
};

async function computeAll(helpers: JobHelpers, profileId: string, objectIds: string[]) {
  let computed = 0;
  for (let start = 0; start < objectIds.length; start += COMPUTE_CHUNK) {
    const chunk = objectIds.slice(start, start + COMPUTE_CHUNK);
    const { rows } = await helpers.withPgClient((client) =>
      client.query<{ computed: number }>('select scoring.compute($1, $2) as computed', [
        profileId,
        chunk,
      ]),
    );
    computed += rows[0]?.computed ?? 0;
  }
  return computed;
}

export default recomputeScores;
