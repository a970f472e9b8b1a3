import type { Hook } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import { ApiError, type ErrorCode, type ErrorDetail } from './errors.js';
import type { GatewayEnv } from './env.js';
import { UUID_PATTERN } from './schemas.js';

/** zod issues as the contract's `details`: `{path, message}` per issue. */
export function issueDetails(error: ZodError): ErrorDetail[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    // One detail per unknown field, each naming the field itself.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...path, key].join('.'),
        message: 'unknown field',
      }));
    }
    return [{ path: path.join('.'), message: issue.message }];
  });
}

/**
 * What a failed request schema becomes: a bad query string is 400
 * INVALID_QUERY, a bad body 422 VALIDATION_ERROR. Path parameters are not
 * validated by schema; see `requireUuid`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const validationHook: Hook<any, GatewayEnv, any, any> = (result) => {
  if (result.success) return;
  const code: ErrorCode = result.target === 'query' ? 'INVALID_QUERY' : 'VALIDATION_ERROR';
  throw new ApiError(code, undefined, issueDetails(result.error));
};

/**
 * A path id that is not a UUID cannot name anything, so it answers exactly
 * like a UUID that names nothing: the resource's 404.
 */
export function requireUuid(id: string, notFound: ErrorCode): string {
  if (!UUID_PATTERN.test(id)) throw new ApiError(notFound);
  return id.toLowerCase();
}
