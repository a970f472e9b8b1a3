import { describe, expect, it } from 'vitest';
import {
  answerTo,
  assign,
  compute,
  createProfile,
  createTemplate,
  latestScores,
  upsertRule,
  withRollback,
  writeAnswers,
  type Db,
} from './scores-fixtures.js';
import { newTenant } from './support/stack.js';

// Every case runs in a transaction that is rolled back, so no worker can
// compute in between and the versions are exactly the ones written here.

async function seed(tx: Db, orgId: string) {
  const profileId = await createProfile(tx, orgId);
  const headcount = await createTemplate(tx, orgId, 'number');
  const crm = await createTemplate(tx, orgId, 'boolean');
  await upsertRule(tx, orgId, {
    profileId,
    templateId: headcount.templateId,
    dimension: 'fit',
    answerType: 'number',
    pointValues: {
      ranges: [
        { max: 100, points: 2 },
        { min: 100, points: 8 },
      ],
    },
  });
  const crmRule = await upsertRule(tx, orgId, {
    profileId,
    templateId: crm.templateId,
    dimension: 'intent',
    answerType: 'boolean',
    pointValues: { true: 5, false: 0 },
  });
  await assign(tx, orgId, profileId, ['acme.com']);
  const answerHeadcount = (value: number) =>
    writeAnswers(tx, orgId, [answerTo(headcount, 'acme.com', value)]);
  return { profileId, crmRule, crm, answerHeadcount };
}

async function history(tx: Db, profileId: string, dimension = 'fit') {
  type Version = {
    version: number;
    score: string;
    previous_score: string | null;
    delta: string | null;
  };
  return tx<Version[]>`
    select version, score::text, previous_score::text, delta::text
    from scoring.score_history
    where profile_id = ${profileId} and dimension = ${dimension}
    order by version`;
}

describe('score versioning', () => {
  it('starts at version 1 without a previous score, then adds 1 per compute with previousScore and delta', async () => {
    const tenant = await newTenant();
    await withRollback(async (tx) => {
      const { profileId, answerHeadcount } = await seed(tx, tenant.orgId);

      await compute(tx, profileId, ['acme.com']);
      const [first] = await latestScores(tx, profileId);
      await answerHeadcount(50);
      await compute(tx, profileId, ['acme.com']);
      const [second] = await latestScores(tx, profileId);
      await compute(tx, profileId, ['acme.com']);
      const [third] = await latestScores(tx, profileId);

      expect(first).toMatchObject({
        dimension: 'fit',
        version: 1,
        score: '0.00',
        previous_score: null,
        delta: null,
      });
      expect(second).toMatchObject({
        version: 2,
        score: '25.00',
        previous_score: '0.00',
        delta: '25.00',
      });
      // A recompute that changes nothing still makes a version.
      expect(third).toMatchObject({
        version: 3,
        score: '25.00',
        previous_score: '25.00',
        delta: '0.00',
      });
      expect(await history(tx, profileId)).toEqual([
        { version: 1, score: '0.00', previous_score: null, delta: null },
        { version: 2, score: '25.00', previous_score: '0.00', delta: '25.00' },
        { version: 3, score: '25.00', previous_score: '25.00', delta: '0.00' },
      ]);
    });
  });

  it('keeps history when an assignment is deleted and continues versions on reassignment', async () => {
    const tenant = await newTenant();
    await withRollback(async (tx) => {
      const { profileId, answerHeadcount } = await seed(tx, tenant.orgId);
      await answerHeadcount(500);
      await compute(tx, profileId, ['acme.com']);
      await compute(tx, profileId, ['acme.com']);

      await tx`delete from scoring.assignments where profile_id = ${profileId}`;
      const afterDelete = await latestScores(tx, profileId);
      await assign(tx, tenant.orgId, profileId, ['acme.com']);
      await compute(tx, profileId, ['acme.com']);
      const [reassigned] = await latestScores(tx, profileId);

      expect(afterDelete).toEqual([]);
      expect(reassigned).toMatchObject({
        dimension: 'fit',
        version: 3,
        score: '100.00',
        previous_score: '100.00',
      });
      expect((await history(tx, profileId)).map((h) => h.version)).toEqual([1, 2, 3]);
    });
  });

  it('drops the score of a dimension that lost all its rules on the next compute', async () => {
    const tenant = await newTenant();
    await withRollback(async (tx) => {
      const { profileId, crmRule } = await seed(tx, tenant.orgId);
      await compute(tx, profileId, ['acme.com']);
      const before = (await latestScores(tx, profileId)).map((s) => s.dimension);

      await tx`delete from scoring.rules where id = ${crmRule}`;
      await compute(tx, profileId, ['acme.com']);
      const after = (await latestScores(tx, profileId)).map((s) => s.dimension);

      expect(before).toEqual(['fit', 'intent']);
      expect(after).toEqual(['fit']);
      expect(await history(tx, profileId, 'intent')).toHaveLength(1);
    });
  });

  it('uses the most recent answer across template versions', async () => {
    const tenant = await newTenant();
    await withRollback(async (tx) => {
      const { profileId, crm } = await seed(tx, tenant.orgId);
      const [{ id: v2 }] = await tx<{ id: string }[]>`
        insert into signals.template_versions (org_id, template_id, version)
        values (${tenant.orgId}, ${crm.templateId}, 2) returning id`;
      const day = 86_400_000;
      await writeAnswers(tx, tenant.orgId, [
        { ...answerTo(crm, 'acme.com', true), answeredAt: new Date(Date.now() - day) },
        {
          objectId: 'acme.com',
          templateId: crm.templateId,
          versionId: v2,
          value: false,
          answeredAt: new Date(Date.now() - 2 * day),
        },
      ]);

      await compute(tx, profileId, ['acme.com']);
      const intent = (await latestScores(tx, profileId)).find((s) => s.dimension === 'intent');

      expect(intent).toMatchObject({ score: '100.00', rules_with_answers: 1 });
      expect(intent?.breakdown[0]).toMatchObject({
        answer: true,
        signalTemplateVersionId: crm.versionIds[0],
      });
    });
  });

  it('clamps a negative total to 0 and scores 0 when no rule can earn points', async () => {
    const tenant = await newTenant();
    await withRollback(async (tx) => {
      const profileId = await createProfile(tx, tenant.orgId);
      const flag = await createTemplate(tx, tenant.orgId, 'boolean');
      const other = await createTemplate(tx, tenant.orgId, 'boolean');
      await upsertRule(tx, tenant.orgId, {
        profileId,
        templateId: flag.templateId,
        dimension: 'fit',
        answerType: 'boolean',
        pointValues: { true: -10, false: 4 },
      });
      await upsertRule(tx, tenant.orgId, {
        profileId,
        templateId: other.templateId,
        dimension: 'risk',
        answerType: 'boolean',
        pointValues: { true: -3, false: 0 },
      });
      await writeAnswers(tx, tenant.orgId, [
        answerTo(flag, 'acme.com', true),
        answerTo(other, 'acme.com', true),
      ]);
      await assign(tx, tenant.orgId, profileId, ['acme.com']);

      await compute(tx, profileId, ['acme.com']);
      const scores = await latestScores(tx, profileId);

      expect(scores.map((s) => [s.dimension, s.score, s.earned, s.max_possible])).toEqual([
        ['fit', '0.00', '-10', '4'],
        ['risk', '0.00', '-3', '0'],
      ]);
    });
  });

  it('skips objects that are not assigned to the profile', async () => {
    const tenant = await newTenant();
    await withRollback(async (tx) => {
      const { profileId } = await seed(tx, tenant.orgId);

      const computed = await compute(tx, profileId, ['acme.com', 'unassigned.com']);

      expect(computed).toBe(1);
      const objects = (await latestScores(tx, profileId)).map((s) => s.object_id);
      expect(objects).toEqual(['acme.com', 'acme.com']);
    });
  });
});
