import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { newTenant, request, sql, type Tenant } from './support/stack.js';

const TEMPLATES = '/v1/signals/templates';
const ANSWERS = '/v1/signals/answers';

let tenant: Tenant;
let other: Tenant;

beforeEach(async () => {
  tenant = await newTenant();
  other = await newTenant();
});

async function createTemplate(owner: Tenant, body: Record<string, unknown> = {}) {
  const response = await owner.post(TEMPLATES, {
    name: 'Uses Salesforce',
    objectType: 'company',
    answerType: 'boolean',
    ...body,
  });
  expect(response.status).toBe(201);
  return response.body.data;
}

async function createProfile(owner: Tenant, objectType = 'company') {
  const response = await owner.post('/v1/scoring/profiles', { name: 'P', objectType });
  expect(response.status).toBe(201);
  return response.body.data;
}

function paths(response: { body: { error: { details?: { path: string }[] } } }) {
  return (response.body.error.details ?? []).map((d) => d.path);
}

describe('POST /v1/signals/templates', () => {
  it('creates a template with version 1 holding the definition (201)', async () => {
    const response = await tenant.post(TEMPLATES, {
      name: 'Industry',
      objectType: 'company',
      answerType: 'select',
      options: ['saas', 'fintech'],
      definition: { question: 'Which industry?' },
    });

    expect(response.status).toBe(201);
    expect(response.body.data).toMatchObject({
      name: 'Industry',
      objectType: 'company',
      answerType: 'select',
      options: ['saas', 'fintech'],
      latestVersion: 1,
    });
    const versions = await tenant.get(`${TEMPLATES}/${response.body.data.id}/versions`);
    expect(versions.body.data).toEqual([
      expect.objectContaining({ version: 1, definition: { question: 'Which industry?' } }),
    ]);
  });

  it.each([
    ['options on a boolean template', { options: ['yes'] }, 'options'],
    ['repeated options', { answerType: 'select', options: ['a', 'a'] }, 'options'],
    ['an empty option list', { answerType: 'select', options: [] }, 'options'],
    ['an unknown answerType', { answerType: 'text' }, 'answerType'],
    ['a blank name', { name: '  ' }, 'name'],
    ['an unknown field', { color: 'red' }, 'color'],
  ])('rejects %s (VALIDATION_ERROR)', async (_case, body, path) => {
    const response = await tenant.post(TEMPLATES, {
      name: 'T',
      objectType: 'company',
      answerType: 'boolean',
      ...body,
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(paths(response)).toContain(path);
  });

  it('rejects a definition nested thousands of levels deep (VALIDATION_ERROR)', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);

    const response = await tenant.post(TEMPLATES, undefined, {
      rawBody: `{"name": "T", "objectType": "company", "answerType": "boolean", "definition": ${deep}}`,
      headers: { 'content-type': 'application/json' },
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(paths(response)).toEqual(['definition']);
  });

  it('validates options in SQL too (VALIDATION_ERROR)', async () => {
    const insert = sql`
      insert into signals.templates (org_id, name, object_type, answer_type, options)
      values (${tenant.orgId}, 'T', 'company', 'multi_select', '["a", "a"]')`;
    await expect(insert).rejects.toMatchObject({ code: 'PT422', message: 'VALIDATION_ERROR' });
  });

  it('gives a template inserted by plain SQL its version 1', async () => {
    const [{ id }] = await sql`
      insert into signals.templates (org_id, name, object_type, answer_type)
      values (${tenant.orgId}, 'T', 'company', 'number') returning id`;

    const versions = await sql`
      select version from signals.template_versions where template_id = ${id}`;

    expect(versions.map((v) => v.version)).toEqual([1]);
  });
});

describe('GET /v1/signals/templates and /{templateId}', () => {
  it("lists only the caller's templates, oldest first", async () => {
    const first = await createTemplate(tenant, { name: 'first' });
    const second = await createTemplate(tenant, { name: 'second', answerType: 'number' });
    await createTemplate(other);

    const response = await tenant.get(TEMPLATES);

    expect(response.status).toBe(200);
    expect(response.body.data.map((t: { id: string }) => t.id)).toEqual([first.id, second.id]);
  });

  it('retrieves a template', async () => {
    const template = await createTemplate(tenant);
    const response = await tenant.get(`${TEMPLATES}/${template.id}`);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual(template);
  });

  it.each([
    ['a random uuid', () => randomUUID()],
    ['a malformed id', () => 'nope'],
  ])('answers 404 for %s (SIGNAL_TEMPLATE_NOT_FOUND)', async (_case, id) => {
    const response = await tenant.get(`${TEMPLATES}/${id()}`);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('SIGNAL_TEMPLATE_NOT_FOUND');
  });

  it("answers another org's template like a missing one (SIGNAL_TEMPLATE_NOT_FOUND)", async () => {
    const theirs = await createTemplate(other);

    const response = await tenant.get(`${TEMPLATES}/${theirs.id}`);
    const versions = await tenant.get(`${TEMPLATES}/${theirs.id}/versions`);

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('SIGNAL_TEMPLATE_NOT_FOUND');
    expect(versions.status).toBe(404);
  });
});

describe('PATCH /v1/signals/templates/{templateId}', () => {
  it('updates name and options', async () => {
    const template = await createTemplate(tenant, { answerType: 'select', options: ['a'] });

    const response = await tenant.patch(`${TEMPLATES}/${template.id}`, {
      name: 'Renamed',
      options: ['a', 'b'],
    });

    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ name: 'Renamed', options: ['a', 'b'] });
  });

  it.each([
    ['answerType', { answerType: 'number' }],
    ['objectType', { objectType: 'contact' }],
  ])('refuses to change %s (IMMUTABLE_FIELD)', async (field, body) => {
    const template = await createTemplate(tenant);

    const response = await tenant.patch(`${TEMPLATES}/${template.id}`, body);

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('IMMUTABLE_FIELD');
    expect(paths(response)).toEqual([field]);
  });

  it('refuses to change answer_type through plain SQL (IMMUTABLE_FIELD)', async () => {
    const template = await createTemplate(tenant);
    const update = sql`
      update signals.templates set answer_type = 'number' where id = ${template.id}`;
    await expect(update).rejects.toMatchObject({ code: 'PT422', message: 'IMMUTABLE_FIELD' });
  });

  it('refuses options that drop an option a rule scores (INVALID_POINT_VALUES)', async () => {
    const template = await createTemplate(tenant, { answerType: 'select', options: ['a', 'b'] });
    const profile = await createProfile(tenant);
    const rule = await tenant.put(`/v1/scoring/profiles/${profile.id}/rules`, {
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType: 'select',
      pointValues: { options: { b: 5 } },
    });
    expect(rule.status).toBe(200);

    const response = await tenant.patch(`${TEMPLATES}/${template.id}`, { options: ['a'] });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('INVALID_POINT_VALUES');
    expect(paths(response)).toEqual(['options']);
  });

  it("cannot update another org's template (SIGNAL_TEMPLATE_NOT_FOUND)", async () => {
    const theirs = await createTemplate(other);

    const response = await tenant.patch(`${TEMPLATES}/${theirs.id}`, { name: 'hijacked' });

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('SIGNAL_TEMPLATE_NOT_FOUND');
    expect((await other.get(`${TEMPLATES}/${theirs.id}`)).body.data.name).toBe('Uses Salesforce');
  });
});

describe('DELETE /v1/signals/templates/{templateId}', () => {
  it('deletes a template with its versions and answers (204)', async () => {
    const template = await createTemplate(tenant);
    await tenant.put(ANSWERS, {
      answers: [
        { templateId: template.id, objectType: 'company', objectId: 'acme.com', value: true },
      ],
    });

    const response = await tenant.delete(`${TEMPLATES}/${template.id}`);

    expect(response.status).toBe(204);
    expect((await tenant.get(`${TEMPLATES}/${template.id}`)).status).toBe(404);
    const [{ count }] = await sql`
      select count(*)::int from signals.answers where template_id = ${template.id}`;
    expect(count).toBe(0);
  });

  it('refuses to delete a template that a rule uses (TEMPLATE_IN_USE)', async () => {
    const template = await createTemplate(tenant);
    const profile = await createProfile(tenant);
    await tenant.put(`/v1/scoring/profiles/${profile.id}/rules`, {
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 10, false: 0 },
    });

    const response = await tenant.delete(`${TEMPLATES}/${template.id}`);
    const plain = sql`delete from signals.templates where id = ${template.id}`;

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('TEMPLATE_IN_USE');
    await expect(plain).rejects.toMatchObject({ code: 'PT409', message: 'TEMPLATE_IN_USE' });
    expect((await tenant.get(`${TEMPLATES}/${template.id}`)).status).toBe(200);
  });

  it("answers 404 for missing and other orgs' templates (SIGNAL_TEMPLATE_NOT_FOUND)", async () => {
    const theirs = await createTemplate(other);

    const cross = await tenant.delete(`${TEMPLATES}/${theirs.id}`);
    const missing = await tenant.delete(`${TEMPLATES}/${randomUUID()}`);

    expect(cross.status).toBe(404);
    expect(cross.body.error.code).toBe('SIGNAL_TEMPLATE_NOT_FOUND');
    expect(missing.body.error.code).toBe('SIGNAL_TEMPLATE_NOT_FOUND');
    expect((await other.get(`${TEMPLATES}/${theirs.id}`)).status).toBe(200);
  });
});

describe('POST /v1/signals/templates/{templateId}/versions', () => {
  it('creates version n+1 and moves latestVersion (201)', async () => {
    const template = await createTemplate(tenant);

    const second = await tenant.post(`${TEMPLATES}/${template.id}/versions`, {
      definition: { question: 'v2' },
    });
    const third = await tenant.post(`${TEMPLATES}/${template.id}/versions`, {
      definition: 'a prompt',
    });

    expect(second.status).toBe(201);
    expect(second.body.data).toMatchObject({ templateId: template.id, version: 2 });
    expect(third.body.data).toMatchObject({ version: 3, definition: 'a prompt' });
    const stored = await tenant.get(`${TEMPLATES}/${template.id}`);
    expect(stored.body.data.latestVersion).toBe(3);
  });

  it('requires a definition (VALIDATION_ERROR)', async () => {
    const template = await createTemplate(tenant);
    const response = await tenant.post(`${TEMPLATES}/${template.id}/versions`, {});
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(paths(response)).toEqual(['definition']);
  });

  it("answers 404 for missing and other orgs' templates (SIGNAL_TEMPLATE_NOT_FOUND)", async () => {
    const theirs = await createTemplate(other);

    const cross = await tenant.post(`${TEMPLATES}/${theirs.id}/versions`, { definition: {} });
    const malformed = await tenant.post(`${TEMPLATES}/x/versions`, { definition: {} });

    expect(cross.status).toBe(404);
    expect(cross.body.error.code).toBe('SIGNAL_TEMPLATE_NOT_FOUND');
    expect(malformed.body.error.code).toBe('SIGNAL_TEMPLATE_NOT_FOUND');
    expect((await other.get(`${TEMPLATES}/${theirs.id}`)).body.data.latestVersion).toBe(1);
  });
});

describe('PUT /v1/signals/answers', () => {
  it('stores answers with normalised ids against the latest version (200)', async () => {
    const template = await createTemplate(tenant);
    const v2 = await tenant.post(`${TEMPLATES}/${template.id}/versions`, { definition: {} });

    const response = await tenant.put(ANSWERS, {
      answers: [
        {
          templateId: template.id,
          objectType: 'company',
          objectId: 'https://WWW.Acme.com/about',
          value: true,
        },
      ],
    });

    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([
      {
        templateId: template.id,
        templateVersionId: v2.body.data.id,
        objectType: 'company',
        objectId: 'acme.com',
        value: true,
        answeredAt: expect.any(String),
      },
    ]);
  });

  it("replaces the answer to the same version and keeps other versions' answers", async () => {
    const template = await createTemplate(tenant, { answerType: 'number' });
    const v1 = (await tenant.get(`${TEMPLATES}/${template.id}/versions`)).body.data[0];
    await tenant.post(`${TEMPLATES}/${template.id}/versions`, { definition: {} });
    const answer = (templateVersionId: string, value: number) => ({
      templateVersionId,
      objectType: 'company',
      objectId: 'acme.com',
      value,
    });

    await tenant.put(ANSWERS, { answers: [answer(v1.id, 1)] });
    await tenant.put(ANSWERS, { answers: [answer(v1.id, 2)] });
    await tenant.put(ANSWERS, {
      answers: [{ templateId: template.id, objectType: 'company', objectId: 'acme.com', value: 3 }],
    });

    const rows = await sql`
      select value from signals.answers where template_id = ${template.id} order by value`;
    expect(rows.map((r) => r.value)).toEqual([2, 3]);
  });

  it('lets the later of two items for one object and version win', async () => {
    const template = await createTemplate(tenant, { answerType: 'number' });
    const item = (value: number, objectId: string) => ({
      templateId: template.id,
      objectType: 'company',
      objectId,
      value,
    });

    const response = await tenant.put(ANSWERS, {
      answers: [item(1, 'acme.com'), item(2, 'www.acme.com')],
    });

    expect(response.status).toBe(200);
    expect(response.body.data.map((a: { value: number }) => a.value)).toEqual([2]);
  });

  it('writes 1000 answers in one request', async () => {
    const template = await createTemplate(tenant, { answerType: 'number' });
    const answers = Array.from({ length: 1000 }, (_, i) => ({
      templateId: template.id,
      objectType: 'company',
      objectId: `company-${i}.com`,
      value: i,
    }));

    const response = await tenant.put(ANSWERS, { answers });

    expect(response.status).toBe(200);
    expect(response.body.data).toHaveLength(1000);
  });

  it('rejects more than 1000 answers and an empty list (VALIDATION_ERROR)', async () => {
    const template = await createTemplate(tenant);
    const answer = {
      templateId: template.id,
      objectType: 'company',
      objectId: 'a.com',
      value: true,
    };

    const tooMany = await tenant.put(ANSWERS, { answers: Array(1001).fill(answer) });
    const empty = await tenant.put(ANSWERS, { answers: [] });

    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.code).toBe('VALIDATION_ERROR');
    expect(empty.status).toBe(422);
    expect(empty.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('rejects the whole request when one answer is invalid, naming its index (VALIDATION_ERROR)', async () => {
    const template = await createTemplate(tenant);
    const good = { templateId: template.id, objectType: 'company', objectId: 'a.com', value: true };

    const response = await tenant.put(ANSWERS, {
      answers: [good, { ...good, objectId: 'b.com', value: 'yes' }],
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(paths(response)).toEqual(['answers.1.value']);
    const [{ count }] = await sql`
      select count(*)::int from signals.answers where org_id = ${tenant.orgId}`;
    expect(count).toBe(0);
  });

  it.each([
    ['boolean', null, 1],
    ['number', null, '12'],
    ['select', ['saas', 'fintech'], 'retail'],
    ['select', ['saas', 'fintech'], ['saas']],
    ['multi_select', ['a', 'b'], ['a', 'a']],
    ['multi_select', ['a', 'b'], ['a', 'z']],
    ['multi_select', null, 'a'],
  ])(
    'rejects a %s answer (options %j) of %j (VALIDATION_ERROR)',
    async (answerType, options, value) => {
      const template = await createTemplate(tenant, { answerType, options });

      const response = await tenant.put(ANSWERS, {
        answers: [{ templateId: template.id, objectType: 'company', objectId: 'a.com', value }],
      });

      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(paths(response)).toEqual(['answers.0.value']);
    },
  );

  it.each([
    ['boolean', null, false],
    ['number', null, -12.5],
    ['select', ['saas', 'fintech'], 'saas'],
    ['select', null, 'anything'],
    ['multi_select', ['a', 'b'], ['b', 'a']],
    ['multi_select', ['a', 'b'], []],
  ])('accepts a %s answer (options %j) of %j', async (answerType, options, value) => {
    const template = await createTemplate(tenant, { answerType, options });

    const response = await tenant.put(ANSWERS, {
      answers: [{ templateId: template.id, objectType: 'company', objectId: 'a.com', value }],
    });

    expect(response.status).toBe(200);
    expect(response.body.data[0].value).toEqual(value);
  });

  it.each([
    ['an answeredAt in the future', { answeredAt: '2999-01-01T00:00:00Z' }, 'answers.0.answeredAt'],
    ['an invalid company id', { objectId: 'not a domain' }, 'answers.0.objectId'],
    [
      'an objectType the template does not score',
      { objectType: 'contact' },
      'answers.0.objectType',
    ],
    ['a missing template', { templateId: undefined }, 'answers.0.templateId'],
  ])('rejects %s (VALIDATION_ERROR)', async (_case, change, path) => {
    const template = await createTemplate(tenant);

    const response = await tenant.put(ANSWERS, {
      answers: [
        {
          templateId: template.id,
          objectType: 'company',
          objectId: 'a.com',
          value: true,
          ...change,
        },
      ],
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(paths(response)).toContain(path);
  });

  it('rejects a value nested thousands of levels deep (VALIDATION_ERROR)', async () => {
    const template = await createTemplate(tenant, { answerType: 'multi_select' });
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const item = `{"templateId": "${template.id}", "objectType": "company", "objectId": "a.com"`;

    const response = await tenant.put(ANSWERS, undefined, {
      rawBody: `{"answers": [${item}, "value": ${deep}}]}`,
      headers: { 'content-type': 'application/json' },
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(paths(response)).toEqual(['answers.0.value']);
  });

  it('accepts an explicit answeredAt in the past', async () => {
    const template = await createTemplate(tenant);

    const response = await tenant.put(ANSWERS, {
      answers: [
        {
          templateId: template.id,
          objectType: 'company',
          objectId: 'a.com',
          value: true,
          answeredAt: '2020-01-02T03:04:05Z',
        },
      ],
    });

    expect(response.status).toBe(200);
    expect(Date.parse(response.body.data[0].answeredAt)).toBe(Date.parse('2020-01-02T03:04:05Z'));
  });

  it("answers 404 for unknown and other orgs' templates and versions (SIGNAL_TEMPLATE_NOT_FOUND)", async () => {
    const mine = await createTemplate(tenant);
    const theirs = await createTemplate(other);
    const theirVersion = (await other.get(`${TEMPLATES}/${theirs.id}/versions`)).body.data[0];
    const item = { objectType: 'company', objectId: 'a.com', value: true };

    const response = await tenant.put(ANSWERS, {
      answers: [
        { ...item, templateId: mine.id },
        { ...item, templateId: theirs.id },
        { ...item, templateVersionId: theirVersion.id },
        { ...item, templateId: randomUUID() },
        { ...item, templateId: mine.id, templateVersionId: theirVersion.id },
      ],
    });

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('SIGNAL_TEMPLATE_NOT_FOUND');
    expect(paths(response)).toEqual([
      'answers.1.templateId',
      'answers.2.templateVersionId',
      'answers.3.templateId',
      'answers.4.templateVersionId',
    ]);
  });

  it('validates answers written through plain SQL with the same code (VALIDATION_ERROR)', async () => {
    const template = await createTemplate(tenant, { answerType: 'select', options: ['a'] });
    const insert = (objectId: string, value: unknown, answeredAt = new Date()) => sql`
      insert into signals.answers (org_id, object_type, object_id, template_id, value, answered_at)
      values (${tenant.orgId}, 'company', ${objectId}, ${template.id}, ${sql.json(value as never)},
        ${answeredAt})`;

    await expect(insert('a.com', 'b')).rejects.toMatchObject({
      code: 'PT422',
      message: 'VALIDATION_ERROR',
    });
    await expect(insert('nope', 'a')).rejects.toMatchObject({
      code: 'PT422',
      message: 'VALIDATION_ERROR',
    });
    await expect(insert('a.com', 'a', new Date(Date.now() + 3_600_000))).rejects.toMatchObject({
      code: 'PT422',
      message: 'VALIDATION_ERROR',
    });
    await insert('HTTPS://A.com/x', 'a');
    const rows =
      await sql`select object_id from signals.answers where template_id = ${template.id}`;
    expect(rows.map((r) => r.object_id)).toEqual(['a.com']);
  });
});

describe('GET /v1/signals/answers', () => {
  it('returns the latest answer per template across versions', async () => {
    const number = await createTemplate(tenant, { answerType: 'number' });
    const flag = await createTemplate(tenant, { name: 'flag' });
    const v1 = (await tenant.get(`${TEMPLATES}/${number.id}/versions`)).body.data[0];
    const v2 = (await tenant.post(`${TEMPLATES}/${number.id}/versions`, { definition: {} })).body
      .data;
    const company = { objectType: 'company', objectId: 'acme.com' };
    await tenant.put(ANSWERS, {
      answers: [
        { ...company, templateVersionId: v1.id, value: 10, answeredAt: '2026-01-02T00:00:00Z' },
        { ...company, templateVersionId: v2.id, value: 20, answeredAt: '2026-01-01T00:00:00Z' },
        { ...company, templateId: flag.id, value: true },
      ],
    });

    const response = await tenant.get(`${ANSWERS}?objectType=company&objectId=WWW.ACME.COM`);

    expect(response.status).toBe(200);
    const byTemplate = Object.fromEntries(
      response.body.data.map((a: { templateId: string; value: unknown }) => [
        a.templateId,
        a.value,
      ]),
    );
    expect(byTemplate).toEqual({ [number.id]: 10, [flag.id]: true });
  });

  it("never shows another org's answers", async () => {
    const theirs = await createTemplate(other);
    await other.put(ANSWERS, {
      answers: [
        { templateId: theirs.id, objectType: 'company', objectId: 'acme.com', value: true },
      ],
    });

    const response = await tenant.get(`${ANSWERS}?objectType=company&objectId=acme.com`);

    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([]);
  });

  it.each([
    ['a missing objectId', '?objectType=company'],
    ['a missing objectType', '?objectId=acme.com'],
    ['an unknown objectType', '?objectType=person&objectId=acme.com'],
    ['an invalid objectId', '?objectType=contact&objectId=acme.com'],
    ['an objectId holding NUL', '?objectType=company&objectId=acme%00.com'],
  ])('answers 400 for %s (INVALID_QUERY)', async (_case, query) => {
    const response = await tenant.get(`${ANSWERS}${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_QUERY');
  });
});

describe('every signals route', () => {
  it.each([
    ['GET', TEMPLATES],
    ['POST', TEMPLATES],
    ['GET', `${TEMPLATES}/${randomUUID()}`],
    ['PATCH', `${TEMPLATES}/${randomUUID()}`],
    ['DELETE', `${TEMPLATES}/${randomUUID()}`],
    ['GET', `${TEMPLATES}/${randomUUID()}/versions`],
    ['POST', `${TEMPLATES}/${randomUUID()}/versions`],
    ['PUT', ANSWERS],
    ['GET', `${ANSWERS}?objectType=company&objectId=a.com`],
  ])('%s %s answers 401 without a key (UNAUTHORIZED)', async (method, path) => {
    const body = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined;
    const response = await request(method, path, { body });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('UNAUTHORIZED');
  });
});

describe('the write side under random input', () => {
  it('answers every random body on every signals, rules and assignments route below 500', async () => {
    const profile = await createProfile(tenant);
    const template = await createTemplate(tenant, { answerType: 'select', options: ['a', 'b'] });
    const json = fc.jsonValue();
    const objectId = fc.oneof(fc.string(), fc.webUrl(), fc.domain(), json);
    const some = (model: Record<string, fc.Arbitrary<unknown>>) =>
      fc.record(model, { requiredKeys: [] });
    const routes: [string, string, fc.Arbitrary<unknown>][] = [
      [
        'POST',
        TEMPLATES,
        some({
          name: fc.oneof(fc.string(), json),
          objectType: fc.oneof(fc.constantFrom('company', 'contact'), json),
          answerType: fc.oneof(
            fc.constantFrom('boolean', 'number', 'select', 'multi_select'),
            json,
          ),
          options: fc.oneof(fc.array(fc.string()), json),
          definition: json,
        }),
      ],
      ['PATCH', `${TEMPLATES}/${template.id}`, some({ name: fc.string(), options: json })],
      ['POST', `${TEMPLATES}/${template.id}/versions`, some({ definition: json })],
      [
        'PUT',
        ANSWERS,
        fc.record({
          answers: fc.array(
            some({
              templateId: fc.constantFrom(template.id, 'x', randomUUID()),
              objectType: fc.constantFrom('company', 'contact'),
              objectId,
              value: json,
              answeredAt: fc.oneof(
                fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
                fc.string(),
              ),
            }),
            { maxLength: 5 },
          ),
        }),
      ],
      [
        'PUT',
        `/v1/scoring/profiles/${profile.id}/rules`,
        some({
          signalTemplateId: fc.constant(template.id),
          dimension: fc.oneof(fc.constant('fit'), fc.string()),
          answerType: fc.constantFrom('boolean', 'number', 'select', 'multi_select'),
          pointValues: json,
          selector: json,
        }),
      ],
      [
        'POST',
        '/v1/scoring/assignments',
        some({
          profileId: fc.constant(profile.id),
          objectType: fc.constantFrom('company', 'contact'),
          objectId,
        }),
      ],
      [
        'POST',
        '/v1/scoring/assignments/bulk',
        some({
          profileId: fc.constant(profile.id),
          objectType: fc.constantFrom('company', 'contact'),
          objectIds: fc.array(objectId, { maxLength: 5 }),
        }),
      ],
    ];

    for (const [method, path, body] of routes) {
      await fc.assert(
        fc.asyncProperty(body, async (sent) => {
          const response = await request(method, path, { key: tenant.key, body: sent });
          expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
        }),
        { numRuns: 60 },
      );
    }
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom('company', 'contact'), fc.string()),
        objectId,
        async (objectType, id) => {
          for (const path of [ANSWERS, '/v1/scoring/assignments']) {
            const query = `?objectType=${encodeURIComponent(objectType)}&objectId=${encodeURIComponent(String(id))}`;
            expect((await tenant.get(path + query)).status).toBeLessThan(500);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
