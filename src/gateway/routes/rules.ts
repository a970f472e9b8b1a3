import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { unwrap } from '../db.js';
import type { GatewayEnv } from '../env.js';
import {
  errorResponses,
  jsonBody,
  jsonResponse,
  Timestamp,
  Uuid,
  UUID_PATTERN,
  UuidInput,
} from '../schemas.js';
import { requireUuid } from '../validation.js';
import { freeJson } from './signals.js';

/**
 * Names no row: gen_random_uuid() never returns it. A path id that is not a
 * UUID is sent as this, so the database still answers the right 404 (the
 * profile's before the rule's).
 */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const AnswerType = z.enum(['boolean', 'number', 'select', 'multi_select']);

const POINT_VALUES_DESCRIPTION =
  'Shape depends on answerType. boolean: {"true": n, "false": n}. number: ' +
  '{"ranges": [{"min"?: n, "max"?: n, "points": n}]}, half-open [min, max), non-empty, ' +
  'non-overlapping. select: {"options": {"<option>": n}, "otherwise"?: n}. multi_select: ' +
  '{"options": {"<option>": n}, "cap"?: n > 0}. Points are finite numbers in [-1000, 1000]; ' +
  'option keys must be options of the template when it lists them. Any violation is 422 ' +
  'INVALID_POINT_VALUES.';

const Rule = z
  .object({
    id: Uuid,
    profileId: Uuid,
    signalTemplateId: Uuid.openapi({
      description:
        'Stable parent template ID (not the version ID). Resolved at compute time across versions.',
    }),
    dimension: z.string().openapi({ example: 'fit' }),
    answerType: AnswerType,
    pointValues: z.unknown().openapi({
      description: POINT_VALUES_DESCRIPTION,
      example: { true: 10, false: 0 },
    }),
    selector: z
      .null()
      .openapi({ description: 'Reserved for selector-based scoring; always null in v1.' }),
    maxPoints: z.number().openapi({ description: 'The most points the rule can award.' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('ScoringRule');

const UpsertRule = z
  .strictObject({
    signalTemplateId: UuidInput,
    dimension: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a lower-case slug such as fit or intent')
      .openapi({ example: 'fit' }),
    answerType: AnswerType.openapi({
      description:
        "Drives shape validation for pointValues. Must match the signal template's answer " +
        'type; a mismatch is 422 INVALID_POINT_VALUES at write time.',
    }),
    // Validated by the database, which answers INVALID_POINT_VALUES.
    pointValues: freeJson(POINT_VALUES_DESCRIPTION).refine(
      (value) => value !== undefined,
      'is required',
    ),
    selector: freeJson('Reserved; must be null or absent in v1 (INVALID_POINT_VALUES).').optional(),
  })
  .openapi('UpsertScoringRule');

const ProfileParams = z.object({
  profileId: Uuid.openapi({
    param: { name: 'profileId', in: 'path' },
    description: 'Scoring profile UUID',
  }),
});

const RuleParams = ProfileParams.extend({
  ruleId: Uuid.openapi({ param: { name: 'ruleId', in: 'path' }, description: 'Scoring rule UUID' }),
});

const RULES = '/v1/scoring/profiles/{profileId}/rules';
const tags = ['Scoring rules'];

export function registerRuleRoutes(app: OpenAPIHono<GatewayEnv>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: RULES,
      tags,
      summary: 'List the rules of a profile',
      request: { params: ProfileParams },
      responses: {
        200: jsonResponse(z.array(Rule), 'Rules retrieved'),
        ...errorResponses(401, 404),
      },
    }),
    async (c) => {
      const profileId = requireUuid(c.req.param('profileId'), 'PROFILE_NOT_FOUND');
      const result = await c.var.db.rpc('profile_rules', { profileId });
      return c.json({ data: unwrap(result) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: RULES,
      tags,
      summary: 'Create or replace a rule',
      description:
        'Upserts by (profileId, signalTemplateId, dimension); a replaced rule keeps its id.',
      request: { params: ProfileParams, body: jsonBody(UpsertRule) },
      responses: {
        200: jsonResponse(Rule, 'Rule upserted'),
        ...errorResponses(401, 404, 422),
      },
    }),
    async (c) => {
      const profileId = requireUuid(c.req.param('profileId'), 'PROFILE_NOT_FOUND');
      const body = c.req.valid('json');
      const result = await c.var.db
        .rpc('upsert_rule', {
          profileId,
          signalTemplateId: body.signalTemplateId.toLowerCase(),
          dimension: body.dimension,
          answerType: body.answerType,
          pointValues: body.pointValues,
          selector: body.selector ?? null,
        })
        .single();
      return c.json({ data: unwrap(result) as z.infer<typeof Rule> }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: `${RULES}/{ruleId}`,
      tags,
      summary: 'Delete a rule',
      request: { params: RuleParams },
      responses: {
        204: { description: 'Rule deleted' },
        ...errorResponses(401, 404),
      },
    }),
    async (c) => {
      const profileId = requireUuid(c.req.param('profileId'), 'PROFILE_NOT_FOUND');
      const ruleParam = c.req.param('ruleId');
      const ruleId = UUID_PATTERN.test(ruleParam) ? ruleParam.toLowerCase() : NIL_UUID;
      unwrap(await c.var.db.rpc('delete_rule', { profileId, ruleId }));
      return c.body(null, 204);
    },
  );
}
