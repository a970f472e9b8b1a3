import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { unwrap, unwrapOne } from '../db.js';
import type { GatewayEnv } from '../env.js';
import { errorResponses, jsonBody, jsonResponse, ObjectType, Timestamp, Uuid } from '../schemas.js';
import { requireUuid } from '../validation.js';

const Profile = z
  .object({
    id: Uuid,
    orgId: z.string(),
    objectType: ObjectType,
    name: z.string().openapi({ example: 'EMEA Enterprise' }),
    description: z
      .string()
      .nullable()
      .openapi({ example: 'Companies with 1000+ headcount in EMEA' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('ScoringProfile');

const name = z.string().trim().min(1).max(200);
const description = z.string().max(2000).nullable();

const CreateProfile = z
  .strictObject({ name, description: description.optional(), objectType: ObjectType })
  .openapi('CreateScoringProfile');

// objectType is accepted only so that the database can refuse the change
// with IMMUTABLE_FIELD; it is not a field one can update.
const UpdateProfile = z
  .strictObject({
    name: name.optional(),
    description: description.optional(),
    objectType: ObjectType.optional().openapi({ description: 'Immutable; any change is 422.' }),
  })
  .openapi('UpdateScoringProfile');

const ProfileParams = z.object({
  profileId: Uuid.openapi({
    param: { name: 'profileId', in: 'path' },
    description: 'Scoring profile UUID',
  }),
});

const tags = ['Scoring profiles'];

export function registerProfileRoutes(app: OpenAPIHono<GatewayEnv>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/scoring/profiles',
      tags,
      summary: 'List scoring profiles',
      responses: {
        200: jsonResponse(z.array(Profile), 'Profiles retrieved'),
        ...errorResponses(401),
      },
    }),
    async (c) => {
      const result = await c.var.db.from('profiles').select('*').order('createdAt').order('id');
      return c.json({ data: unwrap(result) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/scoring/profiles',
      tags,
      summary: 'Create a scoring profile',
      request: { body: jsonBody(CreateProfile) },
      responses: { 201: jsonResponse(Profile, 'Profile created'), ...errorResponses(401, 422) },
    }),
    async (c) => {
      const result = await c.var.db
        .from('profiles')
        .insert(c.req.valid('json'))
        .select('*')
        .single();
      return c.json({ data: unwrap(result) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/scoring/profiles/{profileId}',
      tags,
      summary: 'Retrieve a scoring profile',
      request: { params: ProfileParams },
      responses: { 200: jsonResponse(Profile, 'Profile retrieved'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const id = requireUuid(c.req.param('profileId'), 'PROFILE_NOT_FOUND');
      const result = await c.var.db.from('profiles').select('*').eq('id', id).maybeSingle();
      return c.json({ data: unwrapOne(result, 'PROFILE_NOT_FOUND') }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/scoring/profiles/{profileId}',
      tags,
      summary: 'Update a scoring profile',
      request: { params: ProfileParams, body: jsonBody(UpdateProfile) },
      responses: {
        200: jsonResponse(Profile, 'Profile updated'),
        ...errorResponses(401, 404, 422),
      },
    }),
    async (c) => {
      const id = requireUuid(c.req.param('profileId'), 'PROFILE_NOT_FOUND');
      const changes = c.req.valid('json');
      const table = c.var.db.from('profiles');
      const result =
        Object.keys(changes).length === 0
          ? await table.select('*').eq('id', id).maybeSingle()
          : await table.update(changes).eq('id', id).select('*').maybeSingle();
      return c.json({ data: unwrapOne(result, 'PROFILE_NOT_FOUND') }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/scoring/profiles/{profileId}',
      tags,
      summary: 'Delete a scoring profile, its rules, assignments and scores',
      request: { params: ProfileParams },
      responses: { 204: { description: 'Profile deleted' }, ...errorResponses(401, 404) },
    }),
    async (c) => {
      const id = requireUuid(c.req.param('profileId'), 'PROFILE_NOT_FOUND');
      const result = await c.var.db
        .from('profiles')
        .delete()
        .eq('id', id)
        .select('id')
        .maybeSingle();
      unwrapOne(result, 'PROFILE_NOT_FOUND');
      return c.body(null, 204);
    },
  );
}
