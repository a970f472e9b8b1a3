import type { PostgrestClient } from '@supabase/postgrest-js';

/**
 * The api schema is not described by generated types: responses are shaped
 * by the SQL views, and the route schemas document them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TenantDb = PostgrestClient<any, any, 'api', any>;

/** Per-request values the gateway's middleware sets for handlers. */
export interface GatewayEnv {
  Variables: {
    requestId: string;
    orgId?: string;
    /** PostgREST client authenticated as the request's org. */
    db: TenantDb;
  };
}
