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
 * One request's answers are written in one statement and one transaction;
 * 1000 keeps that transaction short while covering a typical import page.
 */
const MAX_ANSWERS = 1000;

const AnswerType = z.enum(['boolean', 'number', 'select', 'multi_select']).openapi({
  description: "Type of the answer values; drives the shape of rules' pointValues.",
});

/**
 * Free JSON may nest at most this deep. Real definitions, answers and point
 * values nest a few levels; thousands of levels exhaust the database's stack.
 */
const MAX_JSON_DEPTH = 32;

/** Whether a parsed JSON value nests at most `limit` arrays or objects deep. */
export function withinJsonDepth(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    const containers = level.filter((item) => typeof item === 'object' && item !== null);
    if (containers.length === 0) return true;
    if (depth === limit) return false;
    level = containers.flatMap((item) => Object.values(item as object));
  }
  return true;
}

/** Any JSON value, nested at most MAX_JSON_DEPTH deep. */
export const freeJson = (description: string) =>
  z
    .unknown()
    .refine((value) => withinJsonDepth(value), `must nest at most ${MAX_JSON_DEPTH} levels deep`)
    .openapi({ description });

/** Any JSON value except null; the shape is the database's to judge. */
const requiredJson = (description: string) =>
  freeJson(description).refine((value) => value !== undefined && value !== null, 'is required');

const SignalTemplate = z
  .object({
    id: Uuid.openapi({ description: 'The stable parent id that rules reference.' }),
    name: z.string().openapi({ example: 'Uses Salesforce' }),
    objectType: ObjectType,
    answerType: AnswerType,
    options: z.array(z.string()).nullable().openapi({
      description: 'For select and multi_select: the allowed answers, or null for any.',
    }),
    latestVersion: z.number().int().openapi({ example: 1 }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('SignalTemplate');

const SignalTemplateVersion = z
  .object({
    id: Uuid,
    templateId: Uuid,
    version: z.number().int().openapi({ example: 2 }),
    definition: z.unknown().openapi({ description: 'Free JSON such as a question or prompt.' }),
    createdAt: Timestamp,
  })
  .openapi('SignalTemplateVersion');

const SignalAnswer = z
  .object({
    templateId: Uuid,
    templateVersionId: Uuid,
    objectType: ObjectType,
    objectId: z.string().openapi({ description: 'The normalised object id.', example: 'acme.com' }),
    value: z.unknown().openapi({ description: "Fits the template's answer type and options." }),
    answeredAt: Timestamp,
  })
  .openapi('SignalAnswer');

const name = z.string().trim().min(1).max(200);
const options = z
  .array(z.string().min(1).max(200))
  .min(1)
  .max(1000)
  .nullable()
  .openapi({ description: 'Distinct allowed answers; only for select and multi_select.' });

const CreateTemplate = z
  .strictObject({
    name,
    objectType: ObjectType,
    answerType: AnswerType,
    options: options.optional(),
    definition: freeJson('Definition of version 1.').optional(),
  })
  .openapi('CreateSignalTemplate');

// answerType and objectType are accepted only so that the database can refuse
// a change with IMMUTABLE_FIELD.
const UpdateTemplate = z
  .strictObject({
    name: name.optional(),
    options: options.optional(),
    answerType: AnswerType.optional().openapi({ description: 'Immutable; any change is 422.' }),
    objectType: ObjectType.optional().openapi({ description: 'Immutable; any change is 422.' }),
  })
  .openapi('UpdateSignalTemplate');

const CreateVersion = z
  .strictObject({ definition: requiredJson('Free JSON such as a question or prompt.') })
  .openapi('CreateSignalTemplateVersion');

const AnswerInput = z
  .strictObject({
    templateId: UuidInput.optional().openapi({ description: 'Answers its latest version.' }),
    templateVersionId: UuidInput.optional().openapi({ description: 'Answers this version.' }),
    objectType: ObjectType,
    objectId: z.string().min(1).max(2048).openapi({ example: 'acme.com' }),
    value: freeJson('boolean, finite number, option string or array of options.').refine(
      (value) => value !== undefined,
      'is required',
    ),
    answeredAt: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'Defaults to now; never in the future.' }),
  })
  .refine((answer) => answer.templateId || answer.templateVersionId, {
    message: 'templateId or templateVersionId is required',
    path: ['templateId'],
  });

const PutAnswers = z
  .strictObject({ answers: z.array(AnswerInput).min(1).max(MAX_ANSWERS) })
  .openapi('PutSignalAnswers');

const AnswersQuery = objectQuery('For company the domain; for contact the LinkedIn profile URL.');

const TemplateParams = z.object({
  templateId: Uuid.openapi({
    param: { name: 'templateId', in: 'path' },
    description: 'Signal template UUID',
  }),
});

const TEMPLATES = '/v1/signals/templates';
const tags = ['Signals'];

export function registerSignalRoutes(app: OpenAPIHono<GatewayEnv>): void {
  registerTemplateRoutes(app);
  registerVersionRoutes(app);
  registerAnswerRoutes(app);
}

function registerTemplateRoutes(app: OpenAPIHono<GatewayEnv>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: TEMPLATES,
      tags,
      summary: 'List signal templates',
      responses: {
        200: jsonResponse(z.array(SignalTemplate), 'Signal templates retrieved'),
        ...errorResponses(401),
      },
    }),
    async (c) => {
      const result = await c.var.db
        .from('signal_templates')
        .select('*')
        .order('createdAt')
        .order('id');
      return c.json({ data: unwrap(result) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: TEMPLATES,
      tags,
      summary: 'Create a signal template and its version 1',
      request: { body: jsonBody(CreateTemplate) },
      responses: {
        201: jsonResponse(SignalTemplate, 'Signal template created'),
        ...errorResponses(401, 422),
      },
    }),
    async (c) => {
      const result = await c.var.db.rpc('create_signal_template', c.req.valid('json')).single();
      return c.json({ data: unwrap(result) as z.infer<typeof SignalTemplate> }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${TEMPLATES}/{templateId}`,
      tags,
      summary: 'Retrieve a signal template',
      request: { params: TemplateParams },
      responses: {
        200: jsonResponse(SignalTemplate, 'Signal template retrieved'),
        ...errorResponses(401, 404),
      },
    }),
    async (c) => {
      const id = requireUuid(c.req.param('templateId'), 'SIGNAL_TEMPLATE_NOT_FOUND');
      const result = await c.var.db.from('signal_templates').select('*').eq('id', id).maybeSingle();
      return c.json({ data: unwrapOne(result, 'SIGNAL_TEMPLATE_NOT_FOUND') }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: `${TEMPLATES}/{templateId}`,
      tags,
      summary: "Update a signal template's name or options",
      description:
        "New options must still hold every option that the template's rules score " +
        '(INVALID_POINT_VALUES otherwise).',
      request: { params: TemplateParams, body: jsonBody(UpdateTemplate) },
      responses: {
        200: jsonResponse(SignalTemplate, 'Signal template updated'),
        ...errorResponses(401, 404, 422),
      },
    }),
    async (c) => {
      const id = requireUuid(c.req.param('templateId'), 'SIGNAL_TEMPLATE_NOT_FOUND');
      const changes = c.req.valid('json');
      const table = c.var.db.from('signal_templates');
      const result =
        Object.keys(changes).length === 0
          ? await table.select('*').eq('id', id).maybeSingle()
          : await table.update(changes).eq('id', id).select('*').maybeSingle();
      return c.json({ data: unwrapOne(result, 'SIGNAL_TEMPLATE_NOT_FOUND') }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: `${TEMPLATES}/{templateId}`,
      tags,
      summary: 'Delete a signal template, its versions and answers',
      description: 'Refused with 409 TEMPLATE_IN_USE while scoring rules use the template.',
      request: { params: TemplateParams },
      responses: {
        204: { description: 'Signal template deleted' },
        ...errorResponses(401, 404, 409),
      },
    }),
    async (c) => {
      const id = requireUuid(c.req.param('templateId'), 'SIGNAL_TEMPLATE_NOT_FOUND');
      const result = await c.var.db
        .from('signal_templates')
        .delete()
        .eq('id', id)
        .select('id')
        .maybeSingle();
      unwrapOne(result, 'SIGNAL_TEMPLATE_NOT_FOUND');
      return c.body(null, 204);
    },
  );
}

function registerVersionRoutes(app: OpenAPIHono<GatewayEnv>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: `${TEMPLATES}/{templateId}/versions`,
      tags,
      summary: 'List the versions of a signal template',
      request: { params: TemplateParams },
      responses: {
        200: jsonResponse(z.array(SignalTemplateVersion), 'Signal template versions retrieved'),
        ...errorResponses(401, 404),
      },
    }),
    async (c) => {
      const id = requireUuid(c.req.param('templateId'), 'SIGNAL_TEMPLATE_NOT_FOUND');
      const template = await c.var.db
        .from('signal_templates')
        .select('id')
        .eq('id', id)
        .maybeSingle();
      unwrapOne(template, 'SIGNAL_TEMPLATE_NOT_FOUND');
      const result = await c.var.db
        .from('signal_template_versions')
        .select('*')
        .eq('templateId', id)
        .order('version');
      return c.json({ data: unwrap(result) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${TEMPLATES}/{templateId}/versions`,
      tags,
      summary: 'Create the next version of a signal template',
      request: { params: TemplateParams, body: jsonBody(CreateVersion) },
      responses: {
        201: jsonResponse(SignalTemplateVersion, 'Signal template version created'),
        ...errorResponses(401, 404, 422),
      },
    }),
    async (c) => {
      const templateId = requireUuid(c.req.param('templateId'), 'SIGNAL_TEMPLATE_NOT_FOUND');
      const { definition } = c.req.valid('json');
      const result = await c.var.db
        .rpc('create_signal_template_version', { templateId, definition })
        .single();
      return c.json({ data: unwrap(result) as z.infer<typeof SignalTemplateVersion> }, 201);
    },
  );
}

function registerAnswerRoutes(app: OpenAPIHono<GatewayEnv>): void {
  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/signals/answers',
      tags,
      summary: 'Write up to 1000 answers atomically',
      description:
        "Each answer replaces the object's earlier answer to the same template version; " +
        'answers to other versions stay. One invalid answer rejects the request, with its ' +
        'index in `details`. When an item repeats an (object, template version), the later ' +
        'item wins.',
      request: { body: jsonBody(PutAnswers) },
      responses: {
        200: jsonResponse(z.array(SignalAnswer), 'Answers stored'),
        ...errorResponses(401, 404, 422),
      },
    }),
    async (c) => {
      const result = await c.var.db.rpc('put_answers', c.req.valid('json'));
      return c.json({ data: unwrap(result) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/signals/answers',
      tags,
      summary: 'Latest answer per signal template for one object',
      request: { query: AnswersQuery },
      responses: {
        200: jsonResponse(z.array(SignalAnswer), 'Answers retrieved'),
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const result = await c.var.db.rpc('latest_answers', c.req.valid('query'));
      return c.json({ data: unwrap(result) }, 200);
    },
  );
}
