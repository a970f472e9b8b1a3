import { ApiError, isErrorCode, type ErrorDetail } from './errors.js';

/** Postgres and PostgREST error codes the gateway tells apart. */
const SQLSTATE = {
  NOT_NULL_VIOLATION: '23502',
  FOREIGN_KEY_VIOLATION: '23503',
  UNIQUE_VIOLATION: '23505',
  CHECK_VIOLATION: '23514',
} as const;

/** PostgREST's codes for "cannot reach the database". */
const POSTGREST_CONNECTION_ERRORS = new Set(['PGRST000', 'PGRST001', 'PGRST002', 'PGRST003']);

export interface PostgrestFailure {
  code?: string;
  message?: string;
  details?: string | null;
  hint?: string | null;
}

/**
 * Turns a PostgREST error into the contract's error. SQL raises deliberate
 * errors as `errcode = 'PTxxx', message = <CODE>, detail = <json details>,
 * hint = <human message>`; those pass through. Integrity and data errors that
 * no SQL function anticipated still describe bad input, so they become 422
 * VALIDATION_ERROR rather than a 500. Anything else is INTERNAL.
 */
export function fromPostgrest(failure: PostgrestFailure, status: number): ApiError {
  const { code = '', message = '' } = failure;
  if (isErrorCode(message)) {
    return new ApiError(message, failure.hint || undefined, parseDetails(failure.details));
  }
  if (POSTGREST_CONNECTION_ERRORS.has(code) || status === 0 || status === 503) {
    return new ApiError('UNAVAILABLE', undefined, undefined, { cause: failure });
  }
  if (code.startsWith('23') || code.startsWith('22')) {
    const detail = constraintDetail(code, failure);
    return new ApiError('VALIDATION_ERROR', undefined, [detail], { cause: failure });
  }
  return new ApiError('INTERNAL', undefined, undefined, { cause: failure });
}

function constraintDetail(code: string, failure: PostgrestFailure): ErrorDetail {
  switch (code) {
    case SQLSTATE.NOT_NULL_VIOLATION:
      return { path: '', message: 'a required field is missing' };
    case SQLSTATE.FOREIGN_KEY_VIOLATION:
      return { path: '', message: 'references something that does not exist' };
    case SQLSTATE.UNIQUE_VIOLATION:
      return { path: '', message: 'conflicts with an existing resource' };
    case SQLSTATE.CHECK_VIOLATION:
      return { path: '', message: 'a value is out of its allowed range' };
    default:
      return { path: '', message: failure.message ?? 'invalid value' };
  }
}

function parseDetails(details: string | null | undefined): ErrorDetail[] | undefined {
  if (!details) return undefined;
  try {
    const parsed: unknown = JSON.parse(details);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list
      .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null)
      .map((d) => ({ path: String(d.path ?? ''), message: String(d.message ?? '') }));
  } catch {
    return [{ path: '', message: details }];
  }
}
