import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The closed set of error codes the API answers with, and the status each
 * one carries. Adding a code means adding it here; nothing else may invent
 * one.
 */
export const ERROR_STATUS = {
  INVALID_QUERY: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  PROFILE_NOT_FOUND: 404,
  RULE_NOT_FOUND: 404,
  ASSIGNMENT_NOT_FOUND: 404,
  SIGNAL_TEMPLATE_NOT_FOUND: 404,
  ALREADY_ASSIGNED: 409,
  TEMPLATE_IN_USE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_ERROR: 422,
  INVALID_POINT_VALUES: 422,
  OBJECT_TYPE_MISMATCH: 422,
  IMMUTABLE_FIELD: 422,
  NO_ASSIGNMENTS: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  RECOMPUTE_DISPATCH_FAILED: 503,
  UNAVAILABLE: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  path: string;
  message: string;
}

const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  INVALID_QUERY: 'Missing or invalid query parameters.',
  MALFORMED_JSON: 'The request body is not valid JSON.',
  UNAUTHORIZED: 'Invalid or missing API key.',
  NOT_FOUND: 'No such resource.',
  PROFILE_NOT_FOUND: 'Scoring profile not found.',
  RULE_NOT_FOUND: 'Scoring rule not found.',
  ASSIGNMENT_NOT_FOUND: 'Assignment not found.',
  SIGNAL_TEMPLATE_NOT_FOUND: 'Signal template not found.',
  ALREADY_ASSIGNED: 'The object is already assigned to this profile.',
  TEMPLATE_IN_USE: 'The signal template is used by scoring rules.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than the configured limit.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the request body as application/json.',
  VALIDATION_ERROR: 'The request body failed validation.',
  INVALID_POINT_VALUES: 'pointValues do not fit the answer type.',
  OBJECT_TYPE_MISMATCH: "objectType differs from the profile's object type.",
  IMMUTABLE_FIELD: 'The field cannot be changed after creation.',
  NO_ASSIGNMENTS: 'None of the objects is assigned to a profile.',
  RATE_LIMITED: 'Too many requests for this API key.',
  INTERNAL: 'Internal error.',
  RECOMPUTE_DISPATCH_FAILED: 'The recompute could not be queued; safe to retry.',
  UNAVAILABLE: 'The database is unreachable; retry shortly.',
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}

/** An error that becomes the contract's error body. Throw it from handlers. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  /** Response headers the error carries, such as `retry-after`. */
  headers: Record<string, string> = {};

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: ErrorDetail[],
    options?: ErrorOptions,
  ) {
    super(message ?? DEFAULT_MESSAGE[code], options);
    this.status = ERROR_STATUS[code];
  }
}

/** Writes `{error: {code, message, details?, requestId}}` with its status. */
export function errorResponse(c: Context, error: ApiError): Response {
  const body = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details?.length ? { details: error.details } : {}),
      requestId: c.get('requestId') as string | undefined,
    },
  };
  // A body refused before it was read leaves unread bytes on the socket, so
  // the connection must not be reused for another request.
  if (error.code === 'PAYLOAD_TOO_LARGE') c.header('connection', 'close');
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(body, error.status);
}
