import { ApiError, type ErrorCode } from './errors.js';
import { fromPostgrest, type PostgrestFailure } from './postgrest-errors.js';

interface PostgrestResult<T> {
  data: T | null;
  error: PostgrestFailure | null;
  status: number;
}

/**
 * The result's data, or the contract's error for its failure. The data is
 * shaped by the api views; the route's response schema documents it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function unwrap<T = any>(result: PostgrestResult<unknown>): T {
  if (result.error) throw fromPostgrest(result.error, result.status);
  return result.data as T;
}

/** Like `unwrap`, for single-row reads and writes: no row is `notFound`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function unwrapOne<T = any>(result: PostgrestResult<unknown>, notFound: ErrorCode): T {
  const data = unwrap<T | null | undefined>(result);
  if (data === null || data === undefined) throw new ApiError(notFound);
  return data;
}
