import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { unwrap } from '../db.js';
import type { GatewayEnv } from '../env.js';
import { ApiError } from '../errors.js';
import { fromPostgrest } from '../postgrest-errors.js';
import {
  errorResponses,
  jsonBody,
  jsonResponse,
  ObjectType,
  Timestamp,
  Uuid,
  UUID_PATTERN,
  UuidInput,
} from '../schemas.js';

/**
 * Objects per request, on both routes: the contract's cap, which bounds the
 * work one request can queue. Clients paginate larger lists.
 */
const MAX_OBJECTS = 500;

const BreakdownItem = z
  .object({
    ruleId: Uuid,
    signalTemplateId: Uuid,
    signalTemplateVersionId: Uuid.nullable(),
    answer: z.unknown().nullable().openapi({ description: 'The answer used, or null.' }),
    points: z.number(),
    maxPoints: z.number(),
  })
  .openapi('ScoreBreakdownItem');

const Score = z
  .object({
    profileId: Uuid,
    objectType: ObjectType,
    objectId: z.string().openapi({ example: 'acme.com' }),
    dimension: z.string().openapi({ example: 'fit' }),
    score: z.number().openapi({
      description:
        'earned / maxPossible * 100, clamped to [0, 100] and rounded to 2 decimals; 0 when ' +
        'maxPossible is 0. Every rule counts toward maxPossible, answered or not.',
      example: 40,
    }),
    previousScore: z.number().nullable().openapi({
      description: 'Score from the previous compute, or null on first compute.',
      example: 35,
    }),
    delta: z.number().nullable().openapi({ description: 'score - previousScore.', example: 5 }),
    earned: z.number(),
    maxPossible: z.number(),
    rulesWithAnswers: z.number().int().openapi({
      description: 'Number of rules with a signal answer available at compute time.',
    }),
    totalRules: z.number().int().openapi({ description: 'Total rules in the profile/dimension.' }),
    version: z
      .number()
      .int()
      .openapi({ description: 'Increments on every recompute.', example: 1 }),
    breakdown: z.array(BreakdownItem),
    computedAt: Timestamp,
  })
  .openapi('Score');

// Postgres text cannot hold NUL; such an id could never name an object.
const objectId = z
  .string()
  .min(1)
  .regex(/^[^\u0000]*$/, 'must not contain NUL');

// One objectId arrives as a string, several as an array.
const objectIdParam = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]))
  .pipe(z.array(objectId).min(1).max(MAX_OBJECTS))
  .openapi({
    param: { name: 'objectId', in: 'query' },
    description:
      'Repeatable, 1 to 500. For company, domains; for contact, LinkedIn profile URLs. ' +
      'Normalised before matching.',
  });

const ScoresQuery = z.strictObject({
  objectType: ObjectType.openapi({ param: { name: 'objectType', in: 'query' } }),
  objectId: objectIdParam,
  profileId: z
    .string()
    .regex(UUID_PATTERN, 'must be a UUID')
    .optional()
    .openapi({ param: { name: 'profileId', in: 'query' }, format: 'uuid' }),
  dimension: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a lower-case slug')
    .optional()
    .openapi({ param: { name: 'dimension', in: 'query' }, example: 'fit' }),
});

const RecomputeRequest = z
  .strictObject({
    objectType: ObjectType,
    objectIds: z
      .array(objectId)
      .min(1)
      .max(MAX_OBJECTS)
      .openapi({ description: 'Capped at 500 per request — paginate larger lists.' }),
    profileId: UuidInput.optional(),
  })
  .openapi('RecomputeScores');

const RecomputeAccepted = z
  .object({
    objects: z.number().int().openapi({ description: 'Objects queued for recompute.' }),
    profiles: z.number().int().openapi({ description: 'Profiles those objects were queued for.' }),
  })
  .openapi('RecomputeAccepted');

const tags = ['Scores'];

export function registerScoreRoutes(app: OpenAPIHono<GatewayEnv>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/scoring/scores',
      tags,
      summary: 'Latest scores of objects',
      request: { query: ScoresQuery },
      responses: {
        200: jsonResponse(
          z.array(Score),
          'Scores retrieved (empty array if no scores exist for the given objects)',
        ),
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const result = await c.var.db.rpc('find_scores', {
        objectType: query.objectType,
        objectIds: query.objectId,
        ...(query.profileId ? { profileId: query.profileId.toLowerCase() } : {}),
        ...(query.dimension ? { dimension: query.dimension } : {}),
      });
      return c.json({ data: unwrap(result) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/scoring/scores/recompute',
      tags,
      summary: 'Queue a recompute of objects',
      description:
        'Queues a recompute for every profile each object is assigned to, or only for ' +
        '`profileId`. Queued recomputes of one profile coalesce into one batch.',
      request: { body: jsonBody(RecomputeRequest) },
      responses: {
        202: jsonResponse(RecomputeAccepted, 'Accepted — at least one recompute was queued.'),
        ...errorResponses(401, 404, 422, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await c.var.db.rpc('recompute_scores', {
        objectType: body.objectType,
        objectIds: body.objectIds,
        ...(body.profileId ? { profileId: body.profileId.toLowerCase() } : {}),
      });
      if (result.error) throw dispatchError(fromPostgrest(result.error, result.status));
      return c.json({ data: result.data as z.infer<typeof RecomputeAccepted> }, 202);
    },
  );
}

/**
 * On the recompute route, failing to reach the database means nothing was
 * queued: the contract's RECOMPUTE_DISPATCH_FAILED, which tells the client a
 * retry is safe.
 */
function dispatchError(error: ApiError): ApiError {
  if (error.code !== 'UNAVAILABLE') return error;
  return new ApiError('RECOMPUTE_DISPATCH_FAILED', undefined, undefined, { cause: error });
}
