import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createAnalystLogin } from '../src/iam.js';
import {
  answerTo,
  assign,
  compute,
  createProfile,
  createTemplate,
  upsertRule,
  withRollback,
  writeAnswers,
  type Db,
} from './scores-fixtures.js';
import { databaseUrl, newTenant, sql } from './support/stack.js';

const GUIDE = resolve(import.meta.dirname, '../docs/analysts.md');

/** The queries of docs/analysts.md: its sql code blocks. */
async function guideQueries(): Promise<string[]> {
  const text = await readFile(GUIDE, 'utf8');
  return [...text.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1].trim());
}

/**
 * Two profiles, 40 companies including acme.com, answers that change
 * between computes, and first versions moved 10 days into the past so that
 * the 7-day window has something to leave out.
 */
async function seed(tx: Db, orgId: string) {
  const objects = ['acme.com', ...Array.from({ length: 39 }, (_, i) => `co${i}.example`)];
  const flag = await createTemplate(tx, orgId, 'boolean');
  const size = await createTemplate(tx, orgId, 'number');
  for (const name of ['Enterprise', 'Mid-market']) {
    const profileId = await createProfile(tx, orgId);
    await tx`update scoring.profiles set name = ${name} where id = ${profileId}`;
    await upsertRule(tx, orgId, {
      profileId,
      templateId: flag.templateId,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 10, false: 2 },
    });
    await upsertRule(tx, orgId, {
      profileId,
      templateId: size.templateId,
      dimension: 'intent',
      answerType: 'number',
      pointValues: {
        ranges: [
          { max: 100, points: 1 },
          { min: 100, points: 6 },
        ],
      },
    });
    await assign(tx, orgId, profileId, objects);
    await compute(tx, profileId, objects);
    await tx`
      update scoring.score_history set computed_at = now() - interval '10 days'
      where profile_id = ${profileId}`;
    const flags = objects.map((objectId, i) => answerTo(flag, objectId, i % 3 !== 0));
    await writeAnswers(tx, orgId, flags);
    await writeAnswers(
      tx,
      orgId,
      objects.filter((_, i) => i % 2 === 0).map((objectId, i) => answerTo(size, objectId, i * 10)),
    );
    await compute(tx, profileId, objects);
  }
}

/** Runs fn as an analyst of orgId, in a transaction that is rolled back. */
function asAnalyst<T>(tx: Db, orgId: string | null, fn: () => Promise<T>): Promise<T> {
  return (async () => {
    await tx`set local role scoring_analyst`;
    if (orgId) await tx`select set_config('scoring.org_id', ${orgId}, true)`;
    return fn();
  })();
}

describe('analytics views', () => {
  it('answers every query of docs/analysts.md with rows from the seeded org', async () => {
    const tenant = await newTenant();
    const queries = await guideQueries();

    const results = await withRollback(async (tx) => {
      await seed(tx, tenant.orgId);
      return asAnalyst(tx, tenant.orgId, async () => {
        const out: Array<{ query: string; rows: number }> = [];
        for (const query of queries) out.push({ query, rows: (await tx.unsafe(query)).length });
        return out;
      });
    });

    expect(queries.length).toBeGreaterThanOrEqual(5);
    for (const result of results) {
      expect(result, result.query).toMatchObject({ rows: expect.any(Number) });
    }
    expect(results.filter((r) => r.rows === 0).map((r) => r.query)).toEqual([]);
  });

  it('computes the buckets and movers the guide describes', async () => {
    const tenant = await newTenant();
    const [, distribution, movers] = await guideQueries();

    const { buckets, moved, expected } = await withRollback(async (tx) => {
      await seed(tx, tenant.orgId);
      const expected = await tx<{ moved: string }[]>`
        select (s.score - h.score)::text as moved
        from scoring.scores s
        join scoring.score_history h using (org_id, profile_id, object_id, dimension)
        join scoring.profiles p on p.id = s.profile_id
        where s.org_id = ${tenant.orgId} and h.version = 1 and p.name = 'Enterprise'
          and s.object_id = 'co1.example' and s.dimension = 'fit'`;
      return asAnalyst(tx, tenant.orgId, async () => ({
        buckets: await tx.unsafe(distribution),
        moved: await tx.unsafe(movers),
        expected,
      }));
    });

    const total = buckets
      .filter((b: any) => b.profile_name === 'Enterprise' && b.dimension === 'fit')
      .reduce((sum: number, b: any) => sum + Number(b.objects), 0);
    expect(total).toBe(40);
    const co1 = moved.find(
      (m: any) =>
        m.profile_name === 'Enterprise' && m.object_id === 'co1.example' && m.dimension === 'fit',
    );
    expect(co1?.moved).toBe(expected[0].moved);
  });

  it('shows an analyst only the org named by scoring.org_id, and nothing without one', async () => {
    const tenant = await newTenant();
    const other = await newTenant();

    const counts = await withRollback(async (tx) => {
      await seed(tx, tenant.orgId);
      await seed(tx, other.orgId);
      return asAnalyst(tx, null, async () => {
        const [none] = await tx`select count(*)::int as n from analytics.latest_scores`;
        await tx`select set_config('scoring.org_id', ${tenant.orgId}, true)`;
        const [own] = await tx`
          select count(*)::int as n, count(distinct org_id)::int as orgs
          from analytics.latest_scores`;
        const [history] = await tx`
          select count(distinct org_id)::int as orgs from analytics.score_history`;
        return { none: none.n, own: own.n, orgs: own.orgs, historyOrgs: history.orgs };
      });
    });

    expect(counts).toEqual({ none: 0, own: 160, orgs: 1, historyOrgs: 1 });
  });

  it.each([
    ['scoring.scores'],
    ['scoring.score_history'],
    ['signals.answers'],
    ['api.scores'],
    ['iam.api_keys'],
  ])('refuses the analyst role anything but the views: %s (42501)', async (table) => {
    const tenant = await newTenant();

    const error = await withRollback(async (tx) =>
      asAnalyst(tx, tenant.orgId, () =>
        tx.unsafe(`select 1 from ${table} limit 1`).then(
          () => null,
          (e: { code?: string }) => e.code,
        ),
      ),
    ).catch((e: { code?: string }) => e.code);

    expect(error).toBe('42501');
  });

  it('pins an analyst login to its org, whatever it sets scoring.org_id to', async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    await seed(sql, tenant.orgId);
    await seed(sql, other.orgId);
    const name = `analyst_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const login = await createAnalystLogin(sql, tenant.orgId, name);
    const url = new URL(databaseUrl);
    url.username = login.role;
    url.password = login.password;
    const analyst = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      const [own] = await analyst`
        select count(distinct org_id)::int as orgs, min(org_id) as org
        from analytics.latest_scores`;
      await analyst`select set_config('scoring.org_id', ${other.orgId}, false)`;
      const [escaped] = await analyst`
        select count(*)::int as n from analytics.latest_scores where org_id <> ${tenant.orgId}`;
      const privateRead = analyst`select count(*) from scoring.scores`;

      expect(own).toEqual({ orgs: 1, org: tenant.orgId });
      expect(escaped!.n).toBe(0);
      await expect(privateRead).rejects.toMatchObject({ code: '42501' });
    } finally {
      await analyst.end();
    }
  });
});
