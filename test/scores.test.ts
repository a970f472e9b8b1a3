import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyVerifier } from '../src/gateway/auth.js';
import { createApp } from '../src/gateway/app.js';
import { TenantTokens } from '../src/gateway/jwt.js';
import { freePort } from '../src/net.js';
import {
  answerTo,
  assign,
  compute,
  createProfile,
  createTemplate,
  queuedJobs,
  queuedObjectIds,
  upsertRule,
  writeAnswers,
} from './scores-fixtures.js';
import { newTenant, request, sql, type Tenant } from './support/stack.js';

/**
 * An org with one company profile scoring fit (boolean, 10 / 0) and intent
 * (select), acme.com and stripe.com assigned and computed, acme.com answered.
 */
async function seedScored(tenant: Tenant) {
  const profileId = await createProfile(sql, tenant.orgId);
  const bool = await createTemplate(sql, tenant.orgId, 'boolean');
  const region = await createTemplate(sql, tenant.orgId, 'select', { options: ['emea', 'na'] });
  const fitRule = await upsertRule(sql, tenant.orgId, {
    profileId,
    templateId: bool.templateId,
    dimension: 'fit',
    answerType: 'boolean',
    pointValues: { true: 10, false: 0 },
  });
  await upsertRule(sql, tenant.orgId, {
    profileId,
    templateId: region.templateId,
    dimension: 'intent',
    answerType: 'select',
    pointValues: { options: { emea: 8, na: 2 } },
  });
  await writeAnswers(sql, tenant.orgId, [
    answerTo(bool, 'acme.com', true),
    answerTo(region, 'acme.com', 'na'),
  ]);
  await assign(sql, tenant.orgId, profileId, ['acme.com', 'stripe.com']);
  await compute(sql, profileId, ['acme.com', 'stripe.com']);
  return { profileId, fitRule, bool };
}

describe('GET /v1/scoring/scores', () => {
  it('returns the latest scores with their breakdown, matching normalised ids', async () => {
    const tenant = await newTenant();
    const { profileId, fitRule, bool } = await seedScored(tenant);

    const res = await tenant.get(
      '/v1/scoring/scores?objectType=company&objectId=' +
        encodeURIComponent('https://WWW.Acme.com/about') +
        '&objectId=stripe.com',
    );

    expect(res.status).toBe(200);
    const scores = res.body.data as Array<Record<string, any>>;
    expect(scores.map((s) => [s.objectId, s.dimension, s.score])).toEqual([
      ['acme.com', 'fit', 100],
      ['acme.com', 'intent', 25],
      ['stripe.com', 'fit', 0],
      ['stripe.com', 'intent', 0],
    ]);
    const fit = scores[0];
    expect(fit).toMatchObject({
      profileId,
      objectType: 'company',
      earned: 10,
      maxPossible: 10,
      rulesWithAnswers: 1,
      totalRules: 1,
    });
    expect(fit.version).toBeGreaterThanOrEqual(1);
    expect(typeof fit.computedAt).toBe('string');
    expect(fit.breakdown).toEqual([
      {
        ruleId: fitRule,
        signalTemplateId: bool.templateId,
        signalTemplateVersionId: bool.versionIds[0],
        answer: true,
        points: 10,
        maxPoints: 10,
      },
    ]);
    expect(scores[2].breakdown[0]).toMatchObject({
      answer: null,
      signalTemplateVersionId: null,
      points: 0,
    });
  });

  it('filters by profileId and dimension', async () => {
    const tenant = await newTenant();
    const { profileId } = await seedScored(tenant);

    const byDimension = await tenant.get(
      '/v1/scoring/scores?objectType=company&objectId=acme.com' +
        `&profileId=${profileId}&dimension=intent`,
    );
    const otherProfile = await tenant.get(
      `/v1/scoring/scores?objectType=company&objectId=acme.com&profileId=${crypto.randomUUID()}`,
    );

    expect(byDimension.status).toBe(200);
    expect(byDimension.body.data.map((s: any) => s.dimension)).toEqual(['intent']);
    expect(otherProfile.body).toEqual({ data: [] });
  });

  it('answers an empty array for objects without scores', async () => {
    const tenant = await newTenant();

    const res = await tenant.get(
      '/v1/scoring/scores?objectType=contact&objectId=linkedin.com/in/nobody-here',
    );

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [] });
  });

  it.each([
    ['objectType is missing', 'objectId=acme.com'],
    ['objectType is unknown', 'objectType=person&objectId=acme.com'],
    ['objectId is missing', 'objectType=company'],
    ['objectId is not a domain', 'objectType=company&objectId=not%20a%20domain'],
    ['objectId is not a LinkedIn URL', 'objectType=contact&objectId=acme.com'],
    ['profileId is not a UUID', 'objectType=company&objectId=acme.com&profileId=42'],
    ['dimension is not a slug', 'objectType=company&objectId=acme.com&dimension=Fit!'],
    ['a parameter is unknown', 'objectType=company&objectId=acme.com&sort=score'],
    ['objectId holds a NUL character', 'objectType=company&objectId=acme%00.com'],
    [
      'more than 500 objectIds are given',
      'objectType=company&' + Array.from({ length: 501 }, (_, i) => `objectId=a${i}.com`).join('&'),
    ],
  ])('rejects a query where %s (400 INVALID_QUERY)', async (_case, query) => {
    const tenant = await newTenant();

    const res = await tenant.get(`/v1/scoring/scores?${query}`);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_QUERY');
  });

  it('names the index of an invalid objectId in details (400 INVALID_QUERY)', async () => {
    const tenant = await newTenant();

    const res = await tenant.get(
      '/v1/scoring/scores?objectType=company&objectId=acme.com&objectId=nope',
    );

    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'objectId.1' })]);
  });

  it('requires an API key (401 UNAUTHORIZED)', async () => {
    const res = await request('GET', '/v1/scoring/scores?objectType=company&objectId=acme.com');

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  it("never shows another org's scores, even with its profileId", async () => {
    const owner = await newTenant();
    const other = await newTenant();
    const { profileId } = await seedScored(owner);

    const res = await other.get(
      `/v1/scoring/scores?objectType=company&objectId=acme.com&profileId=${profileId}`,
    );
    const all = await other.get('/v1/scoring/scores?objectType=company&objectId=acme.com');

    expect(res.body).toEqual({ data: [] });
    expect(all.body).toEqual({ data: [] });
  });
});

describe('POST /v1/scoring/scores/recompute', () => {
  it('queues the assigned objects per profile and says how many (202)', async () => {
    const tenant = await newTenant();
    const { profileId } = await seedScored(tenant);
    const second = await createProfile(sql, tenant.orgId);
    await assign(sql, tenant.orgId, second, ['acme.com']);

    const res = await tenant.post('/v1/scoring/scores/recompute', {
      objectType: 'company',
      objectIds: ['https://www.acme.com/', 'stripe.com', 'unassigned.com'],
    });

    expect(res.status).toBe(202);
    expect(res.body).toEqual({ data: { objects: 2, profiles: 2 } });
    // A worker may already have taken the job; what was queued and not yet
    // run is a subset of what was asked for.
    const waiting = queuedObjectIds(await queuedJobs(sql, profileId));
    expect(waiting.every((id) => ['acme.com', 'stripe.com'].includes(id))).toBe(true);
  });

  it('limits the recompute to profileId when given', async () => {
    const tenant = await newTenant();
    const { profileId } = await seedScored(tenant);
    const second = await createProfile(sql, tenant.orgId);
    await assign(sql, tenant.orgId, second, ['acme.com']);

    const res = await tenant.post('/v1/scoring/scores/recompute', {
      objectType: 'company',
      objectIds: ['acme.com'],
      profileId,
    });

    expect(res.status).toBe(202);
    expect(res.body.data).toEqual({ objects: 1, profiles: 1 });
  });

  it('rejects objects none of which is assigned (422 NO_ASSIGNMENTS)', async () => {
    const tenant = await newTenant();
    await seedScored(tenant);

    const res = await tenant.post('/v1/scoring/scores/recompute', {
      objectType: 'company',
      objectIds: ['unassigned.com'],
    });

    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('NO_ASSIGNMENTS');
  });

  it("treats another org's assignments as absent (422 NO_ASSIGNMENTS)", async () => {
    const owner = await newTenant();
    const other = await newTenant();
    await seedScored(owner);

    const res = await other.post('/v1/scoring/scores/recompute', {
      objectType: 'company',
      objectIds: ['acme.com'],
    });

    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('NO_ASSIGNMENTS');
  });

  it("rejects an objectType that differs from the profile's (422 OBJECT_TYPE_MISMATCH)", async () => {
    const tenant = await newTenant();
    const { profileId } = await seedScored(tenant);

    const res = await tenant.post('/v1/scoring/scores/recompute', {
      objectType: 'contact',
      objectIds: ['https://www.linkedin.com/in/jane-doe'],
      profileId,
    });

    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('OBJECT_TYPE_MISMATCH');
  });

  it("answers an unknown or another org's profileId like a missing one (404 PROFILE_NOT_FOUND)", async () => {
    const owner = await newTenant();
    const other = await newTenant();
    const { profileId } = await seedScored(owner);

    const foreign = await other.post('/v1/scoring/scores/recompute', {
      objectType: 'company',
      objectIds: ['acme.com'],
      profileId,
    });
    const unknown = await owner.post('/v1/scoring/scores/recompute', {
      objectType: 'company',
      objectIds: ['acme.com'],
      profileId: crypto.randomUUID(),
    });

    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('PROFILE_NOT_FOUND');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('PROFILE_NOT_FOUND');
  });

  it.each([
    ['objectIds is empty', { objectType: 'company', objectIds: [] }],
    [
      'objectIds holds 501 ids',
      { objectType: 'company', objectIds: Array.from({ length: 501 }, (_, i) => `a${i}.com`) },
    ],
    ['objectType is unknown', { objectType: 'person', objectIds: ['acme.com'] }],
    ['a field is unknown', { objectType: 'company', objectIds: ['acme.com'], force: true }],
    [
      'profileId is not a UUID',
      { objectType: 'company', objectIds: ['acme.com'], profileId: 'p1' },
    ],
    ['an id holds a NUL character', { objectType: 'company', objectIds: ['acme\u0000.com'] }],
  ])('rejects a body where %s (422 VALIDATION_ERROR)', async (_case, body) => {
    const tenant = await newTenant();

    const res = await tenant.post('/v1/scoring/scores/recompute', body);

    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('names the index of an invalid object id (422 VALIDATION_ERROR)', async () => {
    const tenant = await newTenant();
    await seedScored(tenant);

    const res = await tenant.post('/v1/scoring/scores/recompute', {
      objectType: 'company',
      objectIds: ['acme.com', 'https://'],
    });

    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [expect.objectContaining({ path: 'objectIds.1' })],
    });
  });

  it('requires an API key (401 UNAUTHORIZED)', async () => {
    const res = await request('POST', '/v1/scoring/scores/recompute', {
      body: { objectType: 'company', objectIds: ['acme.com'] },
    });

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  describe('with the database unreachable', () => {
    let keys: KeyVerifier;
    beforeAll(async () => {
      keys = new KeyVerifier(sql, 1000);
      await keys.start();
    });
    afterAll(() => keys.stop());

    it('answers 503 RECOMPUTE_DISPATCH_FAILED, safe to retry', async () => {
      const tenant = await newTenant();
      // The same gateway, pointed at a PostgREST address nothing listens on:
      // for this request the database cannot be reached.
      const dead = `http://127.0.0.1:${await freePort()}`;
      const app = createApp({
        sql,
        keys,
        tokens: new TenantTokens('a-test-secret-that-is-long-enough-for-hs256'),
        postgrestUrl: dead,
        postgrestAdminUrl: dead,
        bodyLimitBytes: 1 << 20,
        rateLimitPerMinute: 1000,
      });

      const res = await app.request('/v1/scoring/scores/recompute', {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ objectType: 'company', objectIds: ['acme.com'] }),
      });

      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.error.code).toBe('RECOMPUTE_DISPATCH_FAILED');
    });
  });
});
