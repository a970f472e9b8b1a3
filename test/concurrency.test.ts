import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerTo,
  assign,
  comparable,
  createProfile,
  createTemplate,
  freshScores,
  latestScores,
  queuedJobs,
  spawnWorker,
  upsertRule,
  waitFor,
  writeAnswers,
  type WorkerProcess,
} from './scores-fixtures.js';
import { newTenant, sql } from './support/stack.js';

const OBJECTS = Array.from({ length: 300 }, (_, i) => `c${i}.example`);
const REGIONS = ['emea', 'na', 'apac'];

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('concurrent changes with two workers', () => {
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    workers.push(await spawnWorker(), await spawnWorker());
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
  });

  it('ends with every latest score equal to a fresh compute and no version repeated', async () => {
    const tenant = await newTenant();
    const { orgId } = tenant;
    const profileId = await createProfile(sql, orgId);
    const flag = await createTemplate(sql, orgId, 'boolean');
    const headcount = await createTemplate(sql, orgId, 'number');
    const region = await createTemplate(sql, orgId, 'select', { options: REGIONS });
    const rule = (templateId: string, dimension: string, answerType: any, pointValues: unknown) =>
      upsertRule(sql, orgId, { profileId, templateId, dimension, answerType, pointValues });
    await rule(flag.templateId, 'fit', 'boolean', { true: 10, false: 0 });
    await rule(headcount.templateId, 'fit', 'number', {
      ranges: [
        { max: 100, points: 1 },
        { min: 100, points: 9 },
      ],
    });
    await rule(region.templateId, 'intent', 'select', {
      options: { emea: 5, na: 3 },
      otherwise: 1,
    });
    await assign(sql, orgId, profileId, OBJECTS);
    const next = random(42);
    const pick = (count: number) =>
      Array.from({ length: count }, () => OBJECTS[Math.floor(next() * OBJECTS.length)]);

    const answerWrites = Array.from({ length: 30 }, async (_, round) => {
      const ids = [...new Set(pick(40))];
      await writeAnswers(
        sql,
        orgId,
        ids.flatMap((objectId) => [
          answerTo(flag, objectId, next() < 0.5),
          answerTo(headcount, objectId, Math.floor(next() * 300)),
          answerTo(region, objectId, REGIONS[round % 3]),
        ]),
      );
    });
    const ruleEdits = Array.from({ length: 6 }, async (_, round) => {
      await new Promise((resolve) => setTimeout(resolve, round * 150));
      await rule(flag.templateId, 'fit', 'boolean', { true: 10 - round, false: round });
      // A dimension that comes and goes.
      if (round % 2 === 0) await rule(flag.templateId, 'extra', 'boolean', { true: 1, false: 0 });
      else
        await sql`
        delete from scoring.rules where profile_id = ${profileId} and dimension = 'extra'`;
    });
    const recomputes = Array.from({ length: 10 }, async () => {
      const res = await tenant.post('/v1/scoring/scores/recompute', {
        objectType: 'company',
        objectIds: [...new Set(pick(50))],
      });
      expect(res.status).toBe(202);
    });
    await Promise.all([...answerWrites, ...ruleEdits, ...recomputes]);

    const idle = async () => ((await queuedJobs(sql, profileId)).length === 0 ? true : undefined);
    await waitFor(idle, 90_000, 'all jobs');
    const latest = await latestScores(sql, profileId);
    const versions = await sql<{ repeated: number; gaps: number; behind: number }[]>`
      select
        (select count(*)::int from (
          select 1 from scoring.score_history where profile_id = ${profileId}
          group by object_id, dimension, version having count(*) > 1) r) as repeated,
        (select count(*)::int from (
          select 1 from scoring.score_history where profile_id = ${profileId}
          group by object_id, dimension having count(*) <> max(version)) g) as gaps,
        (select count(*)::int from scoring.scores s
          where s.profile_id = ${profileId} and s.version <> (
            select max(h.version) from scoring.score_history h
            where h.profile_id = s.profile_id and h.object_id = s.object_id
              and h.dimension = s.dimension)) as behind`;

    expect(latest.length).toBeGreaterThanOrEqual(OBJECTS.length * 2);
    expect(comparable(latest)).toEqual(await freshScores(profileId));
    expect(versions[0]).toEqual({ repeated: 0, gaps: 0, behind: 0 });
  }, 150_000);
});
