import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { newTenant, sql, type Tenant } from './support/stack.js';

const PROFILES = '/v1/scoring/profiles';

let tenant: Tenant;
let other: Tenant;

beforeEach(async () => {
  tenant = await newTenant();
  other = await newTenant();
});

async function createProfile(owner: Tenant, body: Record<string, unknown> = {}) {
  const response = await owner.post(PROFILES, {
    name: 'EMEA Enterprise',
    objectType: 'company',
    ...body,
  });
  expect(response.status).toBe(201);
  return response.body.data;
}

describe('POST /v1/scoring/profiles', () => {
  it('creates a profile and answers 201 with the stored profile', async () => {
    const response = await tenant.post(PROFILES, {
      name: 'EMEA Enterprise',
      description: 'Companies with 1000+ headcount in EMEA',
      objectType: 'company',
    });

    expect(response.status).toBe(201);
    expect(response.body.data).toMatchObject({
      orgId: tenant.orgId,
      objectType: 'company',
      name: 'EMEA Enterprise',
      description: 'Companies with 1000+ headcount in EMEA',
    });
    expect(response.body.data.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(response.body.data.createdAt).toISOString()).toBeTruthy();
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('defaults description to null', async () => {
    const profile = await createProfile(tenant);
    expect(profile.description).toBeNull();
  });

  it.each([
    ['a missing name', { objectType: 'company' }, 'name'],
    ['an empty name', { name: '  ', objectType: 'company' }, 'name'],
    ['an unknown objectType', { name: 'x', objectType: 'person' }, 'objectType'],
    ['a missing objectType', { name: 'x' }, 'objectType'],
    ['an unknown field', { name: 'x', objectType: 'company', color: 'red' }, 'color'],
    ['a name over 200 characters', { name: 'x'.repeat(201), objectType: 'company' }, 'name'],
  ])('rejects %s (VALIDATION_ERROR)', async (_case, body, path) => {
    const response = await tenant.post(PROFILES, body);

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    const [{ count }] =
      await sql`select count(*)::int from scoring.profiles where org_id = ${tenant.orgId}`;
    expect(count).toBe(0);
  });
});

describe('GET /v1/scoring/profiles', () => {
  it("lists only the caller's profiles, oldest first", async () => {
    const first = await createProfile(tenant, { name: 'first' });
    const second = await createProfile(tenant, { name: 'second', objectType: 'contact' });
    await createProfile(other, { name: "someone else's" });

    const response = await tenant.get(PROFILES);

    expect(response.status).toBe(200);
    expect(response.body.data.map((p: { id: string }) => p.id)).toEqual([first.id, second.id]);
  });

  it('answers an empty array for an org without profiles', async () => {
    const response = await tenant.get(PROFILES);
    expect(response.body).toEqual({ data: [] });
  });
});

describe('GET /v1/scoring/profiles/{profileId}', () => {
  it('retrieves a profile', async () => {
    const profile = await createProfile(tenant);

    const response = await tenant.get(`${PROFILES}/${profile.id}`);

    expect(response.status).toBe(200);
    expect(response.body.data).toEqual(profile);
  });

  it.each([
    ['a random uuid', () => randomUUID()],
    ['a malformed id', () => 'not-a-uuid'],
  ])('answers 404 for %s (PROFILE_NOT_FOUND)', async (_case, id) => {
    const response = await tenant.get(`${PROFILES}/${id()}`);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('PROFILE_NOT_FOUND');
  });

  it("answers another org's profile exactly like a missing one (PROFILE_NOT_FOUND)", async () => {
    const theirs = await createProfile(other);

    const cross = await tenant.get(`${PROFILES}/${theirs.id}`);
    const missing = await tenant.get(`${PROFILES}/${randomUUID()}`);

    expect(cross.status).toBe(404);
    expect(cross.body.error.code).toBe('PROFILE_NOT_FOUND');
    expect({ ...cross.body.error, requestId: undefined }).toEqual({
      ...missing.body.error,
      requestId: undefined,
    });
  });
});

describe('PATCH /v1/scoring/profiles/{profileId}', () => {
  it('updates name and description and bumps updatedAt', async () => {
    const profile = await createProfile(tenant);

    const response = await tenant.patch(`${PROFILES}/${profile.id}`, {
      name: 'Enterprise ICP',
      description: 'Companies with 1000+ headcount',
    });

    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({
      name: 'Enterprise ICP',
      description: 'Companies with 1000+ headcount',
    });
    expect(Date.parse(response.body.data.updatedAt)).toBeGreaterThan(Date.parse(profile.updatedAt));
  });

  it('clears the description with null', async () => {
    const profile = await createProfile(tenant, { description: 'x' });
    const response = await tenant.patch(`${PROFILES}/${profile.id}`, { description: null });
    expect(response.body.data.description).toBeNull();
  });

  it('answers the unchanged profile for an empty body', async () => {
    const profile = await createProfile(tenant);
    const response = await tenant.patch(`${PROFILES}/${profile.id}`, {});
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual(profile);
  });

  it('refuses to change objectType (IMMUTABLE_FIELD)', async () => {
    const profile = await createProfile(tenant);

    const response = await tenant.patch(`${PROFILES}/${profile.id}`, { objectType: 'contact' });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('IMMUTABLE_FIELD');
    expect(response.body.error.details).toEqual([
      { path: 'objectType', message: expect.any(String) },
    ]);
    const stored = await tenant.get(`${PROFILES}/${profile.id}`);
    expect(stored.body.data.objectType).toBe('company');
  });

  it('refuses to change objectType through plain SQL too (IMMUTABLE_FIELD)', async () => {
    const profile = await createProfile(tenant);

    const update = sql`update scoring.profiles set object_type = 'contact' where id = ${profile.id}`;

    await expect(update).rejects.toMatchObject({ code: 'PT422', message: 'IMMUTABLE_FIELD' });
  });

  it('accepts objectType when it does not change', async () => {
    const profile = await createProfile(tenant);
    const response = await tenant.patch(`${PROFILES}/${profile.id}`, {
      objectType: 'company',
      name: 'y',
    });
    expect(response.status).toBe(200);
  });

  it('rejects an empty name and unknown fields (VALIDATION_ERROR)', async () => {
    const profile = await createProfile(tenant);

    const empty = await tenant.patch(`${PROFILES}/${profile.id}`, { name: '' });
    const unknown = await tenant.patch(`${PROFILES}/${profile.id}`, { orgId: other.orgId });

    expect(empty.status).toBe(422);
    expect(empty.body.error.code).toBe('VALIDATION_ERROR');
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual([{ path: 'orgId', message: 'unknown field' }]);
  });

  it('answers 404 for a missing profile (PROFILE_NOT_FOUND)', async () => {
    const response = await tenant.patch(`${PROFILES}/${randomUUID()}`, { name: 'x' });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('PROFILE_NOT_FOUND');
  });

  it("cannot update another org's profile (PROFILE_NOT_FOUND)", async () => {
    const theirs = await createProfile(other);

    const response = await tenant.patch(`${PROFILES}/${theirs.id}`, { name: 'hijacked' });

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('PROFILE_NOT_FOUND');
    const stored = await other.get(`${PROFILES}/${theirs.id}`);
    expect(stored.body.data.name).toBe('EMEA Enterprise');
  });
});

describe('DELETE /v1/scoring/profiles/{profileId}', () => {
  it('deletes a profile and answers 204 with no body', async () => {
    const profile = await createProfile(tenant);

    const response = await tenant.delete(`${PROFILES}/${profile.id}`);

    expect(response.status).toBe(204);
    expect(response.body).toBe('');
    expect((await tenant.get(`${PROFILES}/${profile.id}`)).status).toBe(404);
  });

  it('answers 404 for a missing or already deleted profile (PROFILE_NOT_FOUND)', async () => {
    const profile = await createProfile(tenant);
    await tenant.delete(`${PROFILES}/${profile.id}`);

    const again = await tenant.delete(`${PROFILES}/${profile.id}`);
    const malformed = await tenant.delete(`${PROFILES}/nope`);

    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('PROFILE_NOT_FOUND');
    expect(malformed.body.error.code).toBe('PROFILE_NOT_FOUND');
  });

  it("cannot delete another org's profile (PROFILE_NOT_FOUND)", async () => {
    const theirs = await createProfile(other);

    const response = await tenant.delete(`${PROFILES}/${theirs.id}`);

    expect(response.status).toBe(404);
    expect((await other.get(`${PROFILES}/${theirs.id}`)).status).toBe(200);
  });
});

describe('every profiles route', () => {
  it.each([
    ['GET', PROFILES],
    ['POST', PROFILES],
    ['GET', `${PROFILES}/${randomUUID()}`],
    ['PATCH', `${PROFILES}/${randomUUID()}`],
    ['DELETE', `${PROFILES}/${randomUUID()}`],
  ])('%s %s answers 401 without a key (UNAUTHORIZED)', async (method, path) => {
    const response = await fetch(`${(await import('./support/stack.js')).baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'POST' || method === 'PATCH' ? '{}' : undefined,
    });
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('UNAUTHORIZED');
  });
});
