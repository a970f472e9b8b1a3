import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { unwrap, unwrapOne } from '../db.js';
import type { GatewayEnv } from '../env.js';
import {
  errorResponses,
  jsonBody,
  jsonResponse,
  objectQuery,
  ObjectType,
  Timestamp,
  Uuid,
  UuidInput,
} from '../schemas.js';
import { requireUuid } from '../validation.js';

/**
 * Ids per bulk request: each new assignment queues a compute, so the cap
 * bounds the fan-out of one request. Clients paginate larger lists.
 */
const MAX_BULK_IDS = 500;

const OBJECT_ID_DESCRIPTION =
  'For company, the domain (e.g. acme.com); for contact, the LinkedIn profile URL. ' +
  'Normalised before storing and comparing.';

const Assignment = z
  .object({
    id: Uuid,
    profileId: Uuid,
    objectType: ObjectType,
    objectId: z.string().openapi({ description: 'The normalised object id.', example: 'acme.com' }),
    createdAt: Timestamp,
  })
  .openapi('ProfileAssignment');

const CreateAssignment = z
  .strictObject({
    profileId: UuidInput,
    objectType: ObjectType,
    objectId: z.string().openapi({ description: OBJECT_ID_DESCRIPTION, example: 'acme.com' }),
  })
  .openapi('CreateProfileAssignment');

const CreateAssignments = z
  .strictObject({
    profileId: UuidInput,
    objectType: ObjectType,
    objectIds: z
      .array(z.string())
      .min(1)
      .max(MAX_BULK_IDS)
      .openapi({
        description:
          'Capped at 500 per request to bound fan-out (one row and one compute per object). ' +
          'Paginate larger lists by issuing multiple requests.',
        example: ['acme.com', 'stripe.com', 'framer.com'],
      }),
  })
  .openapi('CreateProfileAssignments');

const AssignmentsQuery = objectQuery(OBJECT_ID_DESCRIPTION);

const AssignmentParams = z.object({
  assignmentId: Uuid.openapi({
    param: { name: 'assignmentId', in: 'path' },
    description: 'Profile assignment UUID',
  }),
});

const ASSIGNMENTS = '/v1/scoring/assignments';
const tags = ['Assignments'];

export function registerAssignmentRoutes(app: OpenAPIHono<GatewayEnv>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: ASSIGNMENTS,
      tags,
      summary: 'List the assignments of one object',
      request: { query: AssignmentsQuery },
      responses: {
        200: jsonResponse(z.array(Assignment), 'Assignments retrieved'),
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const result = await c.var.db.rpc('object_assignments', c.req.valid('query'));
      return c.json({ data: unwrap(result) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: ASSIGNMENTS,
      tags,
      summary: 'Assign an object to a profile',
      description: "Queues the object's first compute in the same transaction.",
      request: { body: jsonBody(CreateAssignment) },
      responses: {
        201: jsonResponse(Assignment, 'Assignment created'),
        ...errorResponses(401, 404, 409, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await c.var.db
        .rpc('create_assignment', { ...body, profileId: body.profileId.toLowerCase() })
        .single();
      return c.json({ data: unwrap(result) as z.infer<typeof Assignment> }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${ASSIGNMENTS}/bulk`,
      tags,
      summary: 'Assign up to 500 objects to a profile',
      description:
        'Atomic: one invalid id rejects the request, with its index in `details`. Ids ' +
        'repeated in the request or already assigned are omitted from the response.',
      request: { body: jsonBody(CreateAssignments) },
      responses: {
        201: jsonResponse(z.array(Assignment), 'Assignments created (duplicates omitted)'),
        ...errorResponses(401, 404, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await c.var.db.rpc('create_assignments', {
        ...body,
        profileId: body.profileId.toLowerCase(),
      });
      return c.json({ data: unwrap(result) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: `${ASSIGNMENTS}/{assignmentId}`,
      tags,
      summary: 'Delete an assignment and its latest scores',
      request: { params: AssignmentParams },
      responses: {
        204: { description: 'Assignment deleted' },
        ...errorResponses(401, 404),
      },
    }),
    async (c) => {
      const id = requireUuid(c.req.param('assignmentId'), 'ASSIGNMENT_NOT_FOUND');
      const result = await c.var.db
        .from('assignments')
        .delete()
        .eq('id', id)
        .select('id')
        .maybeSingle();
      unwrapOne(result, 'ASSIGNMENT_NOT_FOUND');
      return c.body(null, 204);
    },
  );
}
