import { ApiError, type ErrorCode } from './errors.js';
import { fromPostgrest, type PostgrestFailure } from './postgrest-errors.js';

interface PostgrestResult<T> {
  data: T | null;
  error: PostgrestFailure | null;
  status: number;
}

/** The result's data, or the contract's error for its failure. */
export function unwrap<T>(result: PostgrestResult<T>): T {
  if (result.error) throw fromPostgrest(result.error, result.status);
  return result.data as T;
}

/** Like `unwrap`, for single-row reads and writes: no row is `notFound`. */
export function unwrapOne<T>(result: PostgrestResult<T>, notFound: ErrorCode): NonNullable<T> {
  const data = unwrap(result);
  if (data === null || data === undefined) throw new ApiError(notFound);
  return data as NonNullable<T>;
}
