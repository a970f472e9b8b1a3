import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerTo,
  assign,
  createProfile,
  createTemplate,
  latestScores,
  queuedJobs,
  queuedObjectIds,
  spawnWorker,
  upsertRule,
  waitFor,
  withRollback,
  writeAnswers,
  type Db,
  type WorkerProcess,
} from './scores-fixtures.js';
import { newTenant, sql } from './support/stack.js';

const manyObjects = (count: number) => Array.from({ length: count }, (_, i) => `o${i}.com`);

// What the triggers queue is checked inside the writing transaction: jobs
// are rows of that transaction, invisible to any worker until it commits,
// so the check cannot race a worker of another suite.

async function seed(tx: Db, orgId: string) {
  const profileId = await createProfile(tx, orgId);
  const used = await createTemplate(tx, orgId, 'boolean');
  const unused = await createTemplate(tx, orgId, 'boolean');
  await upsertRule(tx, orgId, {
    profileId,
    templateId: used.templateId,
    dimension: 'fit',
    answerType: 'boolean',
    pointValues: { true: 10, false: 0 },
  });
  return { profileId, used, unused };
}

async function clearJobs(tx: Db, profileId: string) {
  await tx`
    delete from graphile_worker._private_jobs
    where key like '%' || ${profileId}
      or payload::jsonb @> ${tx.json([{ profileId }] as never)}::jsonb`;
}

describe('recompute triggers', () => {
  it('queues one recompute_scores job with every object of a bulk assignment', async () => {
    const tenant = await newTenant();
    const jobs = await withRollback(async (tx) => {
      const { profileId } = await seed(tx, tenant.orgId);
      await clearJobs(tx, profileId);
      await assign(tx, tenant.orgId, profileId, ['a.com', 'b.com', 'c.com']);
      await assign(tx, tenant.orgId, profileId, ['d.com']);
      return queuedJobs(tx, profileId);
    });

    expect(jobs.map((j) => j.task)).toEqual(['recompute_scores']);
    expect(jobs[0].key).toMatch(/^recompute_scores:/);
    expect(queuedObjectIds(jobs)).toEqual(['a.com', 'b.com', 'c.com', 'd.com']);
  });

  it('queues a debounced profile_fan_out, not a compute per object, when a rule is upserted or deleted', async () => {
    const tenant = await newTenant();
    const { upserted, deleted } = await withRollback(async (tx) => {
      const { profileId, unused } = await seed(tx, tenant.orgId);
      await assign(tx, tenant.orgId, profileId, manyObjects(2000));
      await clearJobs(tx, profileId);

      const ruleId = await upsertRule(tx, tenant.orgId, {
        profileId,
        templateId: unused.templateId,
        dimension: 'intent',
        answerType: 'boolean',
        pointValues: { true: 1, false: 0 },
      });
      await upsertRule(tx, tenant.orgId, {
        profileId,
        templateId: unused.templateId,
        dimension: 'intent',
        answerType: 'boolean',
        pointValues: { true: 2, false: 0 },
      });
      const upserted = await queuedJobs(tx, profileId);
      await clearJobs(tx, profileId);
      await tx`delete from scoring.rules where id = ${ruleId}`;
      return { upserted, deleted: await queuedJobs(tx, profileId) };
    });

    expect(upserted.map((j) => [j.task, j.payload])).toEqual([
      ['profile_fan_out', { profileId: expect.any(String) }],
    ]);
    expect(deleted.map((j) => j.task)).toEqual(['profile_fan_out']);
  });

  it('queues a fan-out for both profiles when plain SQL moves a rule to another profile', async () => {
    const tenant = await newTenant();
    const tasks = await withRollback(async (tx) => {
      const { profileId } = await seed(tx, tenant.orgId);
      const target = await createProfile(tx, tenant.orgId);
      await clearJobs(tx, profileId);

      await tx`update scoring.rules set profile_id = ${target} where profile_id = ${profileId}`;
      const jobs = [...(await queuedJobs(tx, profileId)), ...(await queuedJobs(tx, target))];
      return jobs.map((job) => `${job.task} ${(job.payload as any).profileId === target}`).sort();
    });

    expect(tasks).toEqual(['profile_fan_out false', 'profile_fan_out true']);
  });

  it('fans a profile out into chunked recompute jobs over all its assignments', async () => {
    const tenant = await newTenant();
    const jobs = await withRollback(async (tx) => {
      const { profileId } = await seed(tx, tenant.orgId);
      await assign(tx, tenant.orgId, profileId, manyObjects(2500));
      await clearJobs(tx, profileId);
      const [{ queued }] = await tx<{ queued: number }[]>`
        select scoring.fan_out_profile(${profileId}, 1000) as queued`;
      return { queued, jobs: await queuedJobs(tx, profileId) };
    });

    expect(jobs.queued).toBe(3);
    expect(jobs.jobs.map((j) => (j.payload as any)[0].objectIds.length)).toEqual([1000, 1000, 500]);
    expect(queuedObjectIds(jobs.jobs)).toHaveLength(2500);
  });

  it('queues answers only for assigned objects whose profile has a rule on the template', async () => {
    const tenant = await newTenant();
    const { used, unusedOnly } = await withRollback(async (tx) => {
      const { profileId, used: usedTemplate, unused } = await seed(tx, tenant.orgId);
      await assign(tx, tenant.orgId, profileId, ['acme.com']);
      await clearJobs(tx, profileId);

      await writeAnswers(tx, tenant.orgId, [
        answerTo(unused, 'acme.com', true),
        answerTo(usedTemplate, 'unassigned.com', true),
      ]);
      const unusedOnly = await queuedJobs(tx, profileId);
      await writeAnswers(tx, tenant.orgId, [answerTo(usedTemplate, 'acme.com', true)]);
      return { unusedOnly, used: await queuedJobs(tx, profileId) };
    });

    expect(unusedOnly).toEqual([]);
    expect(queuedObjectIds(used)).toEqual(['acme.com']);
  });

  it('queues both objects when plain SQL moves an answer from one object to another', async () => {
    const tenant = await newTenant();
    const queued = await withRollback(async (tx) => {
      const { profileId, used } = await seed(tx, tenant.orgId);
      await assign(tx, tenant.orgId, profileId, ['from.com', 'to.com']);
      await writeAnswers(tx, tenant.orgId, [answerTo(used, 'from.com', true)]);
      await clearJobs(tx, profileId);

      await tx`
        update signals.answers set object_id = 'to.com'
        where org_id = ${tenant.orgId} and object_id = 'from.com'`;
      return queuedObjectIds(await queuedJobs(tx, profileId));
    });

    expect(queued).toEqual(['from.com', 'to.com']);
  });

  it('coalesces a burst of 10,000 answer writes into one job per profile', async () => {
    const tenant = await newTenant();
    const objects = Array.from({ length: 10_000 }, (_, i) => `burst${i}.com`);
    const jobs = await withRollback(async (tx) => {
      const { profileId, used } = await seed(tx, tenant.orgId);
      await assign(tx, tenant.orgId, profileId, objects);
      await clearJobs(tx, profileId);
      // Ten writes of 1,000 answers, as ten PUT /v1/signals/answers would.
      for (let start = 0; start < objects.length; start += 1000) {
        await writeAnswers(
          tx,
          tenant.orgId,
          objects.slice(start, start + 1000).map((objectId) => answerTo(used, objectId, true)),
        );
      }
      return queuedJobs(tx, profileId);
    });

    expect(jobs).toHaveLength(1);
    expect(queuedObjectIds(jobs)).toHaveLength(10_000);
  });

  it('keeps the objects of a job superseded while it ran: requeue_recompute_jobs queues them again', async () => {
    const tenant = await newTenant();
    const { held, waiting, afterRequeue } = await withRollback(async (tx) => {
      const { profileId, used } = await seed(tx, tenant.orgId);
      await clearJobs(tx, profileId);
      await assign(tx, tenant.orgId, profileId, ['first.com', 'second.com']);
      // A worker takes the job...
      const [running] = await tx<{ id: string }[]>`
        update graphile_worker._private_jobs
        set locked_at = now(), locked_by = 'worker-test', attempts = 1
        where key = ${'recompute_scores:' + profileId}
        returning id`;
      // ...and a change arrives while it runs.
      await writeAnswers(tx, tenant.orgId, [answerTo(used, 'second.com', true)]);
      const [held] = await tx`
        select key, attempts >= max_attempts as given_up
        from graphile_worker._private_jobs where id = ${running.id}`;
      const keyed = async () => (await queuedJobs(tx, profileId)).filter((j) => j.key !== null);
      const waiting = queuedObjectIds(await keyed());
      await tx`select scoring.requeue_recompute_jobs(${[running.id]}::bigint[], interval '0')`;
      const afterRequeue = queuedObjectIds(await keyed());
      return { held, waiting, afterRequeue };
    });

    expect(held).toEqual({ key: null, given_up: true });
    expect(waiting).toEqual(['second.com']);
    expect(afterRequeue).toEqual(['first.com', 'second.com']);
  });

  it('queues nothing when the writing transaction rolls back', async () => {
    const tenant = await newTenant();
    const { profileId, used } = await seed(sql, tenant.orgId);

    const inside = await withRollback(async (tx) => {
      await assign(tx, tenant.orgId, profileId, ['rolled-back.com']);
      await writeAnswers(tx, tenant.orgId, [answerTo(used, 'rolled-back.com', true)]);
      return queuedObjectIds(await queuedJobs(tx, profileId));
    });
    const after = queuedObjectIds(await queuedJobs(sql, profileId));

    expect(inside).toEqual(['rolled-back.com']);
    expect(after).toEqual([]);
  });
});

describe('automatic recompute through a running worker', () => {
  let worker: WorkerProcess;
  beforeAll(async () => {
    worker = await spawnWorker();
  });
  afterAll(() => worker.stop());

  const fitScore = async (profileId: string, objectId: string, expected: string) => {
    const rows = await latestScores(sql, profileId);
    const row = rows.find((r) => r.object_id === objectId && r.dimension === 'fit');
    return row?.score === expected ? row : undefined;
  };

  it('keeps scores current through the HTTP API: bulk assignment, answers, rule upsert and delete', async () => {
    const tenant = await newTenant();
    const profile = await tenant.post('/v1/scoring/profiles', {
      name: 'ICP',
      objectType: 'company',
    });
    const profileId = profile.body.data.id as string;
    const template = await tenant.post('/v1/signals/templates', {
      name: 'Region',
      objectType: 'company',
      answerType: 'select',
      options: ['emea', 'na'],
    });
    const templateId = template.body.data.id as string;
    const rules = `/v1/scoring/profiles/${profileId}/rules`;
    const rule = await tenant.put(rules, {
      signalTemplateId: templateId,
      dimension: 'fit',
      answerType: 'select',
      pointValues: { options: { emea: 10, na: 5 } },
    });
    expect(rule.status).toBe(200);
    const scoreOf =
      (objectId: string, dimension = 'fit') =>
      async () => {
        const res = await tenant.get(
          `/v1/scoring/scores?objectType=company&objectId=${objectId}&dimension=${dimension}`,
        );
        return res.body.data?.[0] as { score: number; version: number } | undefined;
      };

    const bulk = await tenant.post('/v1/scoring/assignments/bulk', {
      profileId,
      objectType: 'company',
      objectIds: ['https://www.Acme.com', 'stripe.com'],
    });
    expect(bulk.status).toBe(201);
    await waitFor(async () => ((await scoreOf('stripe.com')()) ? true : undefined), 20_000, 'bulk');

    const answers = await tenant.put('/v1/signals/answers', {
      answers: [{ templateId, objectType: 'company', objectId: 'acme.com', value: 'na' }],
    });
    expect(answers.status).toBe(200);
    const answered = await waitFor(
      async () => {
        const score = await scoreOf('acme.com')();
        return score?.score === 50 ? score : undefined;
      },
      20_000,
      'answer',
    );

    const second = await tenant.put(rules, {
      signalTemplateId: templateId,
      dimension: 'intent',
      answerType: 'select',
      pointValues: { options: { na: 4 } },
    });
    await waitFor(
      async () => {
        const score = await scoreOf('acme.com', 'intent')();
        return score?.score === 100 ? score : undefined;
      },
      20_000,
      'new dimension',
    );

    const removed = await tenant.delete(`${rules}/${second.body.data.id}`);
    expect(removed.status).toBe(204);
    await waitFor(
      async () => ((await scoreOf('acme.com', 'intent')()) === undefined ? true : undefined),
      20_000,
      'dimension removal',
    );
    expect(answered.version).toBeGreaterThanOrEqual(2);
  });

  it('computes on assignment, then follows answer writes, rule changes and recompute requests', async () => {
    const tenant = await newTenant();
    const { profileId, used } = await seed(sql, tenant.orgId);

    await assign(sql, tenant.orgId, profileId, ['acme.com']);
    const first = await waitFor(() => fitScore(profileId, 'acme.com', '0.00'), 20_000, 'compute');

    await writeAnswers(sql, tenant.orgId, [answerTo(used, 'acme.com', true)]);
    const answered = await waitFor(
      () => fitScore(profileId, 'acme.com', '100.00'),
      20_000,
      'answer',
    );

    await upsertRule(sql, tenant.orgId, {
      profileId,
      templateId: used.templateId,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 5, false: 20 },
    });
    const ruled = await waitFor(
      () => fitScore(profileId, 'acme.com', '25.00'),
      20_000,
      'rule change',
    );

    const res = await tenant.post('/v1/scoring/scores/recompute', {
      objectType: 'company',
      objectIds: ['acme.com'],
    });
    expect(res.status).toBe(202);
    const recomputed = await waitFor(
      async () => {
        const row = await fitScore(profileId, 'acme.com', '25.00');
        return row && row.version > ruled.version ? row : undefined;
      },
      20_000,
      'recompute request',
    );

    expect(first.version).toBeLessThan(answered.version);
    expect(answered.version).toBeLessThan(ruled.version);
    expect(recomputed.previous_score).toBe('25.00');
  });
});
