import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { newTenant, request, sql, type Tenant } from './support/stack.js';

let tenant: Tenant;
let other: Tenant;

beforeEach(async () => {
  tenant = await newTenant();
  other = await newTenant();
});

type AnswerType = 'boolean' | 'number' | 'select' | 'multi_select';

async function createProfile(owner: Tenant, objectType = 'company') {
  const response = await owner.post('/v1/scoring/profiles', { name: 'P', objectType });
  expect(response.status).toBe(201);
  return response.body.data as { id: string };
}

async function createTemplate(
  owner: Tenant,
  answerType: AnswerType,
  extra: Record<string, unknown> = {},
) {
  const response = await owner.post('/v1/signals/templates', {
    name: `T ${answerType}`,
    objectType: 'company',
    answerType,
    ...extra,
  });
  expect(response.status).toBe(201);
  return response.body.data as { id: string };
}

/** An array nested `depth` levels deep. */
function nest(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

const rulesPath = (profileId: string) => `/v1/scoring/profiles/${profileId}/rules`;

function paths(response: { body: { error: { details?: { path: string }[] } } }) {
  return (response.body.error.details ?? []).map((d) => d.path);
}

describe('PUT /v1/scoring/profiles/{profileId}/rules', () => {
  it('creates a rule with its derived maxPoints (200)', async () => {
    const profile = await createProfile(tenant);
    const template = await createTemplate(tenant, 'boolean');

    const response = await tenant.put(rulesPath(profile.id), {
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 10, false: -5 },
    });

    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({
      profileId: profile.id,
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 10, false: -5 },
      selector: null,
      maxPoints: 10,
    });
  });

  it('upserts by (profile, template, dimension) and keeps the rule id', async () => {
    const profile = await createProfile(tenant);
    const template = await createTemplate(tenant, 'boolean');
    const put = (dimension: string, yes: number) =>
      tenant.put(rulesPath(profile.id), {
        signalTemplateId: template.id,
        dimension,
        answerType: 'boolean',
        pointValues: { true: yes, false: 0 },
      });

    const first = await put('fit', 10);
    const replaced = await put('fit', 20);
    const intent = await put('intent', 5);

    expect(replaced.body.data.id).toBe(first.body.data.id);
    expect(replaced.body.data.pointValues).toEqual({ true: 20, false: 0 });
    expect(intent.body.data.id).not.toBe(first.body.data.id);
    const list = await tenant.get(rulesPath(profile.id));
    expect(list.body.data).toHaveLength(2);
  });

  it.each([
    ['boolean', {}, { true: 10, false: -5 }, 10],
    ['boolean', {}, { true: -1, false: -5 }, 0],
    [
      'number',
      {},
      {
        ranges: [
          { max: 100, points: 1 },
          { min: 100, max: 1000, points: 5 },
          { min: 1000, points: 8 },
        ],
      },
      8,
    ],
    [
      'select',
      { options: ['saas', 'retail'] },
      { options: { saas: 10, retail: -2 }, otherwise: 12 },
      12,
    ],
    ['multi_select', {}, { options: { a: 3, b: 4, c: -2 } }, 7],
    ['multi_select', {}, { options: { a: 3, b: 4 }, cap: 5 }, 5],
  ])('derives maxPoints for a %s rule', async (answerType, extra, pointValues, maxPoints) => {
    const profile = await createProfile(tenant);
    const template = await createTemplate(tenant, answerType as AnswerType, extra);

    const response = await tenant.put(rulesPath(profile.id), {
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType,
      pointValues,
    });

    expect(response.status).toBe(200);
    expect(response.body.data.maxPoints).toBe(maxPoints);
  });

  it("refuses an answerType that differs from the template's (INVALID_POINT_VALUES)", async () => {
    const profile = await createProfile(tenant);
    const template = await createTemplate(tenant, 'boolean');

    const response = await tenant.put(rulesPath(profile.id), {
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType: 'number',
      pointValues: { ranges: [{ points: 1 }] },
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('INVALID_POINT_VALUES');
    expect(paths(response)).toEqual(['answerType']);
  });

  it("refuses a template of another object type than the profile's (INVALID_POINT_VALUES)", async () => {
    const profile = await createProfile(tenant, 'contact');
    const template = await createTemplate(tenant, 'boolean');

    const response = await tenant.put(rulesPath(profile.id), {
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 1, false: 0 },
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('INVALID_POINT_VALUES');
    expect(paths(response)).toEqual(['signalTemplateId']);
  });

  it('refuses a non-null selector (INVALID_POINT_VALUES)', async () => {
    const profile = await createProfile(tenant);
    const template = await createTemplate(tenant, 'boolean');

    const response = await tenant.put(rulesPath(profile.id), {
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 1, false: 0 },
      selector: { jsonpath: '$.x' },
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('INVALID_POINT_VALUES');
    expect(paths(response)).toEqual(['selector']);
  });

  it.each([
    ['a dimension that is not a slug', { dimension: 'Fit!' }, 'dimension'],
    ['a signalTemplateId that is not a uuid', { signalTemplateId: 'x' }, 'signalTemplateId'],
    ['missing pointValues', { pointValues: undefined }, 'pointValues'],
    ['an unknown field', { weight: 2 }, 'weight'],
    ['pointValues nested 40 levels deep', { pointValues: nest(40) }, 'pointValues'],
  ])('rejects %s (VALIDATION_ERROR)', async (_case, change, path) => {
    const profile = await createProfile(tenant);
    const template = await createTemplate(tenant, 'boolean');

    const response = await tenant.put(rulesPath(profile.id), {
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 1, false: 0 },
      ...change,
    });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(paths(response)).toContain(path);
  });

  it("answers 404 for a missing or another org's profile (PROFILE_NOT_FOUND)", async () => {
    const theirs = await createProfile(other);
    const template = await createTemplate(tenant, 'boolean');
    const body = {
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 1, false: 0 },
    };

    const cross = await tenant.put(rulesPath(theirs.id), body);
    const missing = await tenant.put(rulesPath(randomUUID()), body);
    const malformed = await tenant.put(rulesPath('nope'), body);

    for (const response of [cross, missing, malformed]) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('PROFILE_NOT_FOUND');
    }
  });

  it("answers 404 for a missing or another org's template (SIGNAL_TEMPLATE_NOT_FOUND)", async () => {
    const profile = await createProfile(tenant);
    const theirs = await createTemplate(other, 'boolean');
    const body = { dimension: 'fit', answerType: 'boolean', pointValues: { true: 1, false: 0 } };

    const cross = await tenant.put(rulesPath(profile.id), { ...body, signalTemplateId: theirs.id });
    const missing = await tenant.put(rulesPath(profile.id), {
      ...body,
      signalTemplateId: randomUUID(),
    });

    for (const response of [cross, missing]) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('SIGNAL_TEMPLATE_NOT_FOUND');
    }
  });
});

/**
 * Invalid point values, each refused through the API and through plain SQL
 * with the same code. `options` is the template's option list.
 */
const INVALID: [string, AnswerType, string[] | null, unknown, string][] = [
  ['a boolean rule missing "false"', 'boolean', null, { true: 1 }, 'pointValues.false'],
  [
    'a boolean rule with an unknown key',
    'boolean',
    null,
    { true: 1, false: 0, maybe: 2 },
    'pointValues.maybe',
  ],
  [
    'a boolean rule with a string value',
    'boolean',
    null,
    { true: '1', false: 0 },
    'pointValues.true',
  ],
  ['points above 1000', 'boolean', null, { true: 1000.5, false: 0 }, 'pointValues.true'],
  ['points below -1000', 'boolean', null, { true: 1, false: -1001 }, 'pointValues.false'],
  ['pointValues that are not an object', 'boolean', null, [1, 0], 'pointValues'],
  ['a number rule without ranges', 'number', null, {}, 'pointValues.ranges'],
  ['a number rule with empty ranges', 'number', null, { ranges: [] }, 'pointValues.ranges'],
  [
    'an inverted range',
    'number',
    null,
    { ranges: [{ min: 10, max: 5, points: 1 }] },
    'pointValues.ranges.0.max',
  ],
  [
    'an empty range',
    'number',
    null,
    { ranges: [{ min: 5, max: 5, points: 1 }] },
    'pointValues.ranges.0.max',
  ],
  [
    'overlapping ranges',
    'number',
    null,
    {
      ranges: [
        { min: 0, max: 10, points: 1 },
        { min: 9, points: 2 },
      ],
    },
    'pointValues.ranges.1',
  ],
  [
    'two unbounded ranges',
    'number',
    null,
    {
      ranges: [
        { max: 10, points: 1 },
        { max: 20, points: 2 },
      ],
    },
    'pointValues.ranges.1',
  ],
  [
    'a range without points',
    'number',
    null,
    { ranges: [{ min: 0 }] },
    'pointValues.ranges.0.points',
  ],
  [
    'a range with an unknown key',
    'number',
    null,
    { ranges: [{ points: 1, step: 2 }] },
    'pointValues.ranges.0.step',
  ],
  [
    'a range with a string bound',
    'number',
    null,
    { ranges: [{ min: '0', points: 1 }] },
    'pointValues.ranges.0.min',
  ],
  ['a select rule without options', 'select', null, { otherwise: 1 }, 'pointValues.options'],
  [
    'a select option missing from the template',
    'select',
    ['saas'],
    { options: { retail: 1 } },
    'pointValues.options.retail',
  ],
  ['a select rule with a cap', 'select', null, { options: { a: 1 }, cap: 2 }, 'pointValues.cap'],
  [
    'an otherwise out of range',
    'select',
    null,
    { options: { a: 1 }, otherwise: 2000 },
    'pointValues.otherwise',
  ],
  [
    'a multi_select cap of 0',
    'multi_select',
    null,
    { options: { a: 1 }, cap: 0 },
    'pointValues.cap',
  ],
  [
    'a multi_select rule with otherwise',
    'multi_select',
    null,
    { options: { a: 1 }, otherwise: 1 },
    'pointValues.otherwise',
  ],
  [
    'a multi_select option missing from the template',
    'multi_select',
    ['a'],
    { options: { a: 1, b: 2 } },
    'pointValues.options.b',
  ],
  ['a null option value', 'multi_select', null, { options: { a: null } }, 'pointValues.options.a'],
];

describe('point values validation', () => {
  it.each(INVALID)(
    'refuses %s through the API (INVALID_POINT_VALUES)',
    async (_case, answerType, options, pointValues, path) => {
      const profile = await createProfile(tenant);
      const template = await createTemplate(tenant, answerType, options ? { options } : {});

      const response = await tenant.put(rulesPath(profile.id), {
        signalTemplateId: template.id,
        dimension: 'fit',
        answerType,
        pointValues,
      });

      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('INVALID_POINT_VALUES');
      expect(paths(response)).toContain(path);
    },
  );

  it.each(INVALID)(
    'refuses %s through plain SQL (INVALID_POINT_VALUES)',
    async (_case, answerType, options, pointValues, path) => {
      const profile = await createProfile(tenant);
      const template = await createTemplate(tenant, answerType, options ? { options } : {});

      const insert = sql`
      insert into scoring.rules
        (org_id, profile_id, template_id, dimension, answer_type, point_values)
      values (${tenant.orgId}, ${profile.id}, ${template.id}, 'fit', ${answerType},
        ${sql.json(pointValues as never)})`;

      const error = await insert.catch((e: { code: string; message: string; detail: string }) => e);
      expect(error).toMatchObject({ code: 'PT422', message: 'INVALID_POINT_VALUES' });
      expect(
        JSON.parse((error as { detail: string }).detail).map((d: { path: string }) => d.path),
      ).toContain(path);
    },
  );

  it("refuses through plain SQL an answer type that differs from the template's (INVALID_POINT_VALUES)", async () => {
    const profile = await createProfile(tenant);
    const template = await createTemplate(tenant, 'boolean');

    const insert = sql`
      insert into scoring.rules
        (org_id, profile_id, template_id, dimension, answer_type, point_values)
      values (${tenant.orgId}, ${profile.id}, ${template.id}, 'fit', 'number',
        '{"ranges": [{"points": 1}]}')`;

    await expect(insert).rejects.toMatchObject({ code: 'PT422', message: 'INVALID_POINT_VALUES' });
  });

  it('refuses through plain SQL an update that breaks a stored rule (INVALID_POINT_VALUES)', async () => {
    const profile = await createProfile(tenant);
    const template = await createTemplate(tenant, 'boolean');
    const rule = await tenant.put(rulesPath(profile.id), {
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 1, false: 0 },
    });

    const update = sql`
      update scoring.rules set point_values = '{"true": 1}' where id = ${rule.body.data.id}`;

    await expect(update).rejects.toMatchObject({ code: 'PT422', message: 'INVALID_POINT_VALUES' });
  });

  it('checks point values in a check constraint that no trigger can skip', async () => {
    const [constraint] = await sql`
      select pg_get_constraintdef(oid) as definition from pg_constraint
      where conrelid = 'scoring.rules'::regclass and contype = 'c'
        and pg_get_constraintdef(oid) like '%validate_point_values%'`;
    expect(constraint?.definition).toContain('validate_point_values(answer_type, point_values)');

    const direct = sql`select scoring.validate_point_values('number', '{"ranges": []}')`;
    await expect(direct).rejects.toMatchObject({ code: 'PT422', message: 'INVALID_POINT_VALUES' });
  });
});

describe('GET /v1/scoring/profiles/{profileId}/rules', () => {
  it("lists the profile's rules, oldest first", async () => {
    const profile = await createProfile(tenant);
    const template = await createTemplate(tenant, 'boolean');
    const body = {
      signalTemplateId: template.id,
      answerType: 'boolean',
      pointValues: { true: 1, false: 0 },
    };
    const fit = await tenant.put(rulesPath(profile.id), { ...body, dimension: 'fit' });
    const intent = await tenant.put(rulesPath(profile.id), { ...body, dimension: 'intent' });

    const response = await tenant.get(rulesPath(profile.id));

    expect(response.status).toBe(200);
    expect(response.body.data.map((r: { id: string }) => r.id)).toEqual([
      fit.body.data.id,
      intent.body.data.id,
    ]);
  });

  it('answers an empty list for a profile without rules', async () => {
    const profile = await createProfile(tenant);
    const response = await tenant.get(rulesPath(profile.id));
    expect(response.body).toEqual({ data: [] });
  });

  it("answers 404 for a missing or another org's profile (PROFILE_NOT_FOUND)", async () => {
    const theirs = await createProfile(other);

    const cross = await tenant.get(rulesPath(theirs.id));
    const missing = await tenant.get(rulesPath(randomUUID()));

    expect(cross.status).toBe(404);
    expect(cross.body.error.code).toBe('PROFILE_NOT_FOUND');
    expect(missing.body.error.code).toBe('PROFILE_NOT_FOUND');
  });
});

describe('DELETE /v1/scoring/profiles/{profileId}/rules/{ruleId}', () => {
  async function createRule(owner: Tenant) {
    const profile = await createProfile(owner);
    const template = await createTemplate(owner, 'boolean');
    const rule = await owner.put(rulesPath(profile.id), {
      signalTemplateId: template.id,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 1, false: 0 },
    });
    return { profile, template, rule: rule.body.data as { id: string } };
  }

  it('deletes a rule (204), after which its template can be deleted', async () => {
    const { profile, template, rule } = await createRule(tenant);

    const response = await tenant.delete(`${rulesPath(profile.id)}/${rule.id}`);

    expect(response.status).toBe(204);
    expect((await tenant.get(rulesPath(profile.id))).body.data).toEqual([]);
    expect((await tenant.delete(`/v1/signals/templates/${template.id}`)).status).toBe(204);
  });

  it('answers 404 for a missing or malformed rule id (RULE_NOT_FOUND)', async () => {
    const { profile } = await createRule(tenant);

    const missing = await tenant.delete(`${rulesPath(profile.id)}/${randomUUID()}`);
    const malformed = await tenant.delete(`${rulesPath(profile.id)}/nope`);

    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('RULE_NOT_FOUND');
    expect(malformed.body.error.code).toBe('RULE_NOT_FOUND');
  });

  it('answers 404 for a rule of another profile (RULE_NOT_FOUND)', async () => {
    const { rule } = await createRule(tenant);
    const otherProfile = await createProfile(tenant);

    const response = await tenant.delete(`${rulesPath(otherProfile.id)}/${rule.id}`);

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('RULE_NOT_FOUND');
  });

  it('answers 404 for a missing profile before the rule (PROFILE_NOT_FOUND)', async () => {
    const response = await tenant.delete(`${rulesPath(randomUUID())}/nope`);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('PROFILE_NOT_FOUND');
  });

  it("cannot delete another org's rule (PROFILE_NOT_FOUND)", async () => {
    const { profile, rule } = await createRule(other);

    const response = await tenant.delete(`${rulesPath(profile.id)}/${rule.id}`);

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('PROFILE_NOT_FOUND');
    expect((await other.get(rulesPath(profile.id))).body.data).toHaveLength(1);
  });
});

describe('tenancy in the keys', () => {
  it("refuses, as the table owner, a rule that references another org's template or profile", async () => {
    const mine = await createProfile(tenant);
    const theirProfile = await createProfile(other);
    const theirTemplate = await createTemplate(other, 'boolean');
    const myTemplate = await createTemplate(tenant, 'boolean');
    const insert = (profileId: string, templateId: string) => sql`
      insert into scoring.rules
        (org_id, profile_id, object_type, template_id, dimension, answer_type, point_values)
      values (${tenant.orgId}, ${profileId}, 'company', ${templateId}, 'fit', 'boolean',
        '{"true": 1, "false": 0}')`;

    await expect(insert(mine.id, theirTemplate.id)).rejects.toMatchObject({ code: '23503' });
    await expect(insert(theirProfile.id, myTemplate.id)).rejects.toMatchObject({ code: '23503' });
  });

  it("refuses, as the table owner, an assignment to another org's profile", async () => {
    const theirs = await createProfile(other);

    const insert = sql`
      insert into scoring.assignments (org_id, profile_id, object_type, object_id)
      values (${tenant.orgId}, ${theirs.id}, 'company', 'acme.com')`;

    await expect(insert).rejects.toMatchObject({ code: '23503' });
  });

  it("refuses, as the table owner, an answer to another org's template version", async () => {
    const theirs = await createTemplate(other, 'boolean');
    const [version] = await sql`
      select id from signals.template_versions where template_id = ${theirs.id}`;

    const insert = sql`
      insert into signals.answers
        (org_id, object_type, object_id, template_id, template_version_id, value)
      values (${tenant.orgId}, 'company', 'acme.com', ${theirs.id}, ${version!.id}, 'true')`;

    await expect(insert).rejects.toMatchObject({ code: '23503' });
  });

  it('leads every key and foreign key of the tenant tables with org_id', async () => {
    const keys = await sql`
      select c.conrelid::regclass::text as "table", c.conname as name,
        a.attname as "firstColumn"
      from pg_constraint as c
      join pg_attribute as a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.contype in ('p', 'u', 'f')
        and c.conrelid in ('signals.templates'::regclass,
          'signals.template_versions'::regclass, 'signals.answers'::regclass,
          'scoring.rules'::regclass, 'scoring.assignments'::regclass)`;

    expect(keys.length).toBeGreaterThanOrEqual(12);
    expect(keys.filter((k) => k.firstColumn !== 'org_id')).toEqual([]);
  });
});

describe('every rules route', () => {
  it.each([
    ['GET', rulesPath(randomUUID())],
    ['PUT', rulesPath(randomUUID())],
    ['DELETE', `${rulesPath(randomUUID())}/${randomUUID()}`],
  ])('%s %s answers 401 without a key (UNAUTHORIZED)', async (method, path) => {
    const response = await request(method, path, { body: method === 'PUT' ? {} : undefined });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('UNAUTHORIZED');
  });
});
