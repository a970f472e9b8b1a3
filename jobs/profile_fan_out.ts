import type { Task } from 'graphile-worker';
import { UUID_PATTERN } from '../src/ids.js';
import { log } from '../src/log.js';
import { COMPUTE_CHUNK } from './recompute_scores.js';

/**
 * Queues recompute_scores over every assignment of a profile after its rules
 * changed, one job per chunk so that many workers share a large profile.
 * The rule write itself only queued this job, so it returns at once however
 * many objects the profile scores. A deleted profile queues nothing.
 */
const profileFanOut: Task = async (payload, helpers) => {
  const { profileId } = (payload ?? {}) as { profileId?: unknown };
  if (typeof profileId !== 'string' || !UUID_PATTERN.test(profileId)) return;
  const { rows } = await helpers.withPgClient((client) =>
    client.query<{ jobs: number }>('select scoring.fan_out_profile($1, $2) as jobs', [
      profileId,
      COMPUTE_CHUNK,
    ]),
  );
  log.debug(
    { task: 'profile_fan_out', jobId: helpers.job.id, profileId, jobs: rows[0]?.jobs },
    'fanned out',
  );
};

export default profileFanOut;
