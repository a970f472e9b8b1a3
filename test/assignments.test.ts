import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { newTenant, request, sql, type Tenant } from './support/stack.js';

const ASSIGNMENTS = '/v1/scoring/assignments';

let tenant: Tenant;
let other: Tenant;

beforeEach(async () => {
  tenant = await newTenant();
  other = await newTenant();
});

async function createProfile(owner: Tenant, objectType = 'company') {
  const response = await owner.post('/v1/scoring/profiles', { name: 'P', objectType });
  expect(response.status).toBe(201);
  return response.body.data as { id: string };
}

function paths(response: { body: { error: { details?: { path: string }[] } } }) {
  return (response.body.error.details ?? []).map((d) => d.path);
}

describe('object identity', () => {
  it.each([
    ['company', 'acme.com', 'acme.com'],
    ['company', '  https://WWW.Acme.com/about  ', 'acme.com'],
    ['company', 'http://acme.com:8080/path?q=1#top', 'acme.com'],
    ['company', 'Acme.COM.', 'acme.com'],
    ['company', 'eu.shop.acme.co.uk', 'eu.shop.acme.co.uk'],
    ['company', 'xn--bcher-kva.ch', 'xn--bcher-kva.ch'],
    ['contact', 'https://www.linkedin.com/in/Jane-Doe/', 'https://www.linkedin.com/in/jane-doe'],
    ['contact', 'linkedin.com/in/jane-doe?trk=x', 'https://www.linkedin.com/in/jane-doe'],
    ['contact', 'http://de.linkedin.com/in/jane-doe/de', 'https://www.linkedin.com/in/jane-doe'],
    [
      'contact',
      'https://www.linkedin.com/in/jos%C3%A9/en-us/',
      'https://www.linkedin.com/in/jos%c3%a9',
    ],
  ])('normalises the %s id %j to %j', async (objectType, raw, normalised) => {
    const [row] = await sql`select scoring.normalize_object_id(${objectType}, ${raw}) as id`;
    expect(row!.id).toBe(normalised);
  });

  it.each([
    ['company', 'acme'],
    ['company', '1.2.3.4'],
    ['company', 'a_b.com'],
    ['company', '-acme.com'],
    ['company', 'acme..com'],
    ['company', 'user@acme.com'],
    ['company', ''],
    ['contact', 'acme.com'],
    ['contact', 'https://www.linkedin.com/company/acme'],
    ['contact', 'https://www.linkedin.com/in/jane/details/experience'],
    ['contact', 'https://evil.com/in/jane'],
    ['person', 'acme.com'],
  ])('refuses the %s id %j', async (objectType, raw) => {
    const [row] = await sql`select scoring.normalize_object_id(${objectType}, ${raw}) as id`;
    expect(row!.id).toBeNull();
  });
});

describe('POST /v1/scoring/assignments', () => {
  it('assigns an object under its normalised id (201)', async () => {
    const profile = await createProfile(tenant);

    const response = await tenant.post(ASSIGNMENTS, {
      profileId: profile.id,
      objectType: 'company',
      objectId: 'https://WWW.Acme.com/about',
    });

    expect(response.status).toBe(201);
    expect(response.body.data).toMatchObject({
      profileId: profile.id,
      objectType: 'company',
      objectId: 'acme.com',
    });
    expect(response.body.data.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses the same object written another way (ALREADY_ASSIGNED)', async () => {
    const profile = await createProfile(tenant);
    const body = { profileId: profile.id, objectType: 'company' };
    await tenant.post(ASSIGNMENTS, { ...body, objectId: 'acme.com' });

    const response = await tenant.post(ASSIGNMENTS, { ...body, objectId: 'http://www.ACME.com/' });

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('ALREADY_ASSIGNED');
  });

  it("refuses an objectType that differs from the profile's (OBJECT_TYPE_MISMATCH)", async () => {
    const profile = await createProfile(tenant, 'contact');

    const response = await tenant.post(ASSIGNMENTS, {
      profileId: profile.id,
      objectType: 'company',
      objectId: 'acme.com',
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('OBJECT_TYPE_MISMATCH');
  });

  it.each([
    ['an invalid domain', { objectId: 'not a domain' }, 'objectId'],
    ['a missing objectId', { objectId: undefined }, 'objectId'],
    ['a profileId that is not a uuid', { profileId: 'x' }, 'profileId'],
    ['an unknown objectType', { objectType: 'person' }, 'objectType'],
    ['an unknown field', { score: 1 }, 'score'],
  ])('rejects %s (VALIDATION_ERROR)', async (_case, change, path) => {
    const profile = await createProfile(tenant);

    const response = await tenant.post(ASSIGNMENTS, {
      profileId: profile.id,
      objectType: 'company',
      objectId: 'acme.com',
      ...change,
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(paths(response)).toContain(path);
  });

  it("answers 404 for a missing or another org's profile (PROFILE_NOT_FOUND)", async () => {
    const theirs = await createProfile(other);
    const body = { objectType: 'company', objectId: 'acme.com' };

    const cross = await tenant.post(ASSIGNMENTS, { ...body, profileId: theirs.id });
    const missing = await tenant.post(ASSIGNMENTS, { ...body, profileId: randomUUID() });

    for (const response of [cross, missing]) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('PROFILE_NOT_FOUND');
    }
    const [{ count }] = await sql`
      select count(*)::int from scoring.assignments where profile_id = ${theirs.id}`;
    expect(count).toBe(0);
  });

  it('validates assignments written through plain SQL with the same codes', async () => {
    const profile = await createProfile(tenant, 'contact');
    const insert = (objectType: string | null, objectId: string) => sql`
      insert into scoring.assignments (org_id, profile_id, object_type, object_id)
      values (${tenant.orgId}, ${profile.id}, ${objectType}, ${objectId})
      returning object_type, object_id`;

    await expect(insert('company', 'acme.com')).rejects.toMatchObject({
      code: 'PT422',
      message: 'OBJECT_TYPE_MISMATCH',
    });
    await expect(insert('contact', 'acme.com')).rejects.toMatchObject({
      code: 'PT422',
      message: 'VALIDATION_ERROR',
    });
    const [row] = await insert(null, 'LinkedIn.com/in/Jane-Doe/');
    expect(row).toEqual({
      object_type: 'contact',
      object_id: 'https://www.linkedin.com/in/jane-doe',
    });
  });
});

describe('POST /v1/scoring/assignments/bulk', () => {
  it('assigns every new object in one insert and omits duplicates (201)', async () => {
    const profile = await createProfile(tenant);
    await tenant.post(ASSIGNMENTS, {
      profileId: profile.id,
      objectType: 'company',
      objectId: 'stored.com',
    });

    const response = await tenant.post(`${ASSIGNMENTS}/bulk`, {
      profileId: profile.id,
      objectType: 'company',
      objectIds: ['acme.com', 'stripe.com', 'www.acme.com', 'stored.com', 'framer.com'],
    });

    expect(response.status).toBe(201);
    expect(response.body.data.map((a: { objectId: string }) => a.objectId)).toEqual([
      'acme.com',
      'stripe.com',
      'framer.com',
    ]);
    // Rows of one statement share its command id.
    const [{ statements }] = await sql`
      select count(distinct cmin::text)::int as statements from scoring.assignments
      where profile_id = ${profile.id} and object_id <> 'stored.com'`;
    expect(statements).toBe(1);
  });

  it('accepts 500 ids and answers an empty list when all are already assigned', async () => {
    const profile = await createProfile(tenant);
    const objectIds = Array.from({ length: 500 }, (_, i) => `company-${i}.com`);
    const body = { profileId: profile.id, objectType: 'company', objectIds };

    const first = await tenant.post(`${ASSIGNMENTS}/bulk`, body);
    const again = await tenant.post(`${ASSIGNMENTS}/bulk`, body);

    expect(first.status).toBe(201);
    expect(first.body.data).toHaveLength(500);
    expect(again.status).toBe(201);
    expect(again.body.data).toEqual([]);
  });

  it.each([
    ['no ids', []],
    ['501 ids', Array.from({ length: 501 }, (_, i) => `c${i}.com`)],
  ])('rejects %s (VALIDATION_ERROR)', async (_case, objectIds) => {
    const profile = await createProfile(tenant);

    const response = await tenant.post(`${ASSIGNMENTS}/bulk`, {
      profileId: profile.id,
      objectType: 'company',
      objectIds,
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(paths(response)).toEqual(['objectIds']);
  });

  it('rejects the whole request for one invalid id, naming its index (VALIDATION_ERROR)', async () => {
    const profile = await createProfile(tenant);

    const response = await tenant.post(`${ASSIGNMENTS}/bulk`, {
      profileId: profile.id,
      objectType: 'company',
      objectIds: ['acme.com', 'stripe.com', 'framer.com', 'not a domain'],
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(paths(response)).toEqual(['objectIds.3']);
    const [{ count }] = await sql`
      select count(*)::int from scoring.assignments where profile_id = ${profile.id}`;
    expect(count).toBe(0);
  });

  it("refuses an objectType that differs from the profile's (OBJECT_TYPE_MISMATCH)", async () => {
    const profile = await createProfile(tenant, 'contact');

    const response = await tenant.post(`${ASSIGNMENTS}/bulk`, {
      profileId: profile.id,
      objectType: 'company',
      objectIds: ['acme.com'],
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('OBJECT_TYPE_MISMATCH');
  });

  it("answers 404 for another org's profile (PROFILE_NOT_FOUND)", async () => {
    const theirs = await createProfile(other);

    const response = await tenant.post(`${ASSIGNMENTS}/bulk`, {
      profileId: theirs.id,
      objectType: 'company',
      objectIds: ['acme.com'],
    });

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('PROFILE_NOT_FOUND');
  });
});

describe('GET /v1/scoring/assignments', () => {
  it("lists the object's assignments, matching any spelling of its id", async () => {
    const first = await createProfile(tenant);
    const second = await createProfile(tenant);
    for (const profile of [first, second]) {
      await tenant.post(ASSIGNMENTS, {
        profileId: profile.id,
        objectType: 'company',
        objectId: 'acme.com',
      });
    }
    await tenant.post(ASSIGNMENTS, {
      profileId: first.id,
      objectType: 'company',
      objectId: 'other.com',
    });

    const response = await tenant.get(
      `${ASSIGNMENTS}?objectType=company&objectId=https://WWW.acme.com/`,
    );

    expect(response.status).toBe(200);
    expect(response.body.data.map((a: { profileId: string }) => a.profileId)).toEqual([
      first.id,
      second.id,
    ]);
  });

  it("never shows another org's assignments", async () => {
    const theirs = await createProfile(other);
    await other.post(ASSIGNMENTS, {
      profileId: theirs.id,
      objectType: 'company',
      objectId: 'acme.com',
    });

    const response = await tenant.get(`${ASSIGNMENTS}?objectType=company&objectId=acme.com`);

    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([]);
  });

  it.each([
    ['a missing objectId', '?objectType=company'],
    ['a missing objectType', '?objectId=acme.com'],
    ['an unknown objectType', '?objectType=person&objectId=acme.com'],
    ['an invalid objectId', '?objectType=company&objectId=acme'],
    ['an unknown parameter', '?objectType=company&objectId=acme.com&limit=5'],
    ['an objectId holding NUL', '?objectType=company&objectId=acme%00.com'],
  ])('answers 400 for %s (INVALID_QUERY)', async (_case, query) => {
    const response = await tenant.get(`${ASSIGNMENTS}${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_QUERY');
  });
});

describe('DELETE /v1/scoring/assignments/{assignmentId}', () => {
  it('deletes an assignment (204)', async () => {
    const profile = await createProfile(tenant);
    const created = await tenant.post(ASSIGNMENTS, {
      profileId: profile.id,
      objectType: 'company',
      objectId: 'acme.com',
    });

    const response = await tenant.delete(`${ASSIGNMENTS}/${created.body.data.id}`);
    const again = await tenant.delete(`${ASSIGNMENTS}/${created.body.data.id}`);

    expect(response.status).toBe(204);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('ASSIGNMENT_NOT_FOUND');
  });

  it.each([
    ['a random uuid', () => randomUUID()],
    ['a malformed id', () => 'nope'],
  ])('answers 404 for %s (ASSIGNMENT_NOT_FOUND)', async (_case, id) => {
    const response = await tenant.delete(`${ASSIGNMENTS}/${id()}`);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('ASSIGNMENT_NOT_FOUND');
  });

  it("cannot delete another org's assignment (ASSIGNMENT_NOT_FOUND)", async () => {
    const theirs = await createProfile(other);
    const created = await other.post(ASSIGNMENTS, {
      profileId: theirs.id,
      objectType: 'company',
      objectId: 'acme.com',
    });

    const response = await tenant.delete(`${ASSIGNMENTS}/${created.body.data.id}`);

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('ASSIGNMENT_NOT_FOUND');
    const stillThere = await other.get(`${ASSIGNMENTS}?objectType=company&objectId=acme.com`);
    expect(stillThere.body.data).toHaveLength(1);
  });
});

describe('every assignments route', () => {
  it.each([
    ['GET', `${ASSIGNMENTS}?objectType=company&objectId=acme.com`],
    ['POST', ASSIGNMENTS],
    ['POST', `${ASSIGNMENTS}/bulk`],
    ['DELETE', `${ASSIGNMENTS}/${randomUUID()}`],
  ])('%s %s answers 401 without a key (UNAUTHORIZED)', async (method, path) => {
    const response = await request(method, path, { body: method === 'POST' ? {} : undefined });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('UNAUTHORIZED');
  });
});
