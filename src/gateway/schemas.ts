import { z } from '@hono/zod-openapi';
import { UUID_PATTERN } from '../ids.js';
import { ERROR_STATUS, type ErrorCode } from './errors.js';

export const ObjectType = z.enum(['company', 'contact']).openapi({
  description: 'company (objectId is a domain) or contact (a LinkedIn profile URL).',
});

export const Timestamp = z
  .string()
  .openapi({ format: 'date-time', example: '2026-12-03T10:00:00Z' });

export { UUID_PATTERN };

/** A UUID as the API shows it (responses, path parameters). */
export const Uuid = z.string().openapi({ format: 'uuid' });

/** A UUID a client sends in a body or query string; anything else is a validation error. */
export const UuidInput = z
  .string()
  .regex(UUID_PATTERN, 'must be a UUID')
  .openapi({ format: 'uuid' });

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      requestId: z.string().optional(),
    }),
  })
  .openapi('Error');

/** `{data: schema}`, the success envelope. */
export function envelope<T extends z.ZodType>(schema: T) {
  return z.object({ data: schema });
}

/** A JSON success response for a route definition. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema: envelope(schema) } } };
}

/** A required JSON request body for a route definition. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

const ERROR_DESCRIPTION: Record<number, string> = {
  400: 'Missing or invalid query parameters',
  401: 'Unauthorized — invalid or missing API key',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body larger than the configured limit',
  415: 'Body is not application/json',
  422: 'Validation error',
  503: 'Unavailable; safe to retry',
};

/** Error responses of a route, by status. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: ERROR_DESCRIPTION[status] ?? 'Error',
        content: { 'application/json': { schema: ErrorBody } },
      },
    ]),
  );
}

/** `?objectType=&objectId=`, the query of the by-object reads. */
export function objectQuery(objectIdDescription: string) {
  return z.strictObject({
    objectType: ObjectType.openapi({ param: { name: 'objectType', in: 'query' } }),
    objectId: z
      .string()
      .min(1)
      // Postgres text cannot hold NUL; refused here as the bad query it is.
      .refine((value) => !value.includes('\u0000'), 'must not contain NUL')
      .openapi({
        param: { name: 'objectId', in: 'query' },
        description: objectIdDescription,
      }),
  });
}
