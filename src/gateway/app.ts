import { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import { PostgrestClient } from '@supabase/postgrest-js';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { Sql } from 'postgres';
import { log } from '../log.js';
import type { KeyVerifier } from './auth.js';
import type { GatewayEnv, TenantDb } from './env.js';
import { ApiError, errorResponse } from './errors.js';
import type { TenantTokens } from './jwt.js';
import { registerAssignmentRoutes } from './routes/assignments.js';
import { RateLimiter } from './rate-limit.js';
import { registerProfileRoutes } from './routes/profiles.js';
import { registerRuleRoutes } from './routes/rules.js';
import { registerScoreRoutes } from './routes/scores.js';
import { registerSignalRoutes } from './routes/signals.js';
import { validationHook } from './validation.js';

export interface GatewayDeps {
  sql: Sql;
  keys: KeyVerifier;
  tokens: TenantTokens;
  postgrestUrl: string;
  postgrestAdminUrl: string;
  bodyLimitBytes: number;
  /** Requests per minute per key; 0 turns the limit off. */
  rateLimitPerMinute: number;
}

const ROUTES = [
  registerProfileRoutes,
  registerSignalRoutes,
  registerRuleRoutes,
  registerAssignmentRoutes,
  registerScoreRoutes,
];

/** Methods whose requests carry a JSON body. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Builds the gateway: auth, request shaping, error mapping, docs. */
export function createApp(deps: GatewayDeps): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });
  const limiter = deps.rateLimitPerMinute > 0 ? new RateLimiter(deps.rateLimitPerMinute) : null;

  app.use(requestId({ headerName: 'x-request-id' }));
  app.use(accessLog);
  app.get('/healthz', (c) => c.json({ data: { status: 'ok' } }));
  app.get('/readyz', (c) => readiness(c, deps));

  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Scoring API',
      version: '1.0.0',
      description: 'Explainable, versioned 0-100 scores for companies and contacts.',
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'sk_live_ followed by a secure random string.',
  });
  app.get('/docs', Scalar({ url: '/v1/openapi.json', pageTitle: 'Scoring API reference' }));

  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: deps.bodyLimitBytes,
      onError: () => {
        throw new ApiError('PAYLOAD_TOO_LARGE');
      },
    }),
  );
  app.use('/v1/*', async (c, next) => {
    if (c.req.path === '/v1/openapi.json') return next();
    const principal = await deps.keys.verify(c.req.header('authorization')).catch((error) => {
      throw new ApiError('UNAVAILABLE', undefined, undefined, { cause: error });
    });
    if (!principal) throw new ApiError('UNAUTHORIZED');
    c.set('orgId', principal.orgId);
    if (BODY_METHODS.has(c.req.method)) {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
        throw new ApiError('UNSUPPORTED_MEDIA_TYPE');
      }
    }
    const retryAfter = limiter?.take(principal.keyId) ?? 0;
    if (retryAfter > 0) {
      const limited = new ApiError('RATE_LIMITED');
      limited.headers['retry-after'] = String(retryAfter);
      throw limited;
    }
    const jwt = deps.tokens.forOrg(principal.orgId);
    const db: TenantDb = new PostgrestClient(deps.postgrestUrl, {
      headers: { Authorization: `Bearer ${jwt}` },
      schema: 'api',
    });
    c.set('db', db);
    await next();
  });

  for (const register of ROUTES) register(app);

  app.notFound((c) => errorResponse(c, new ApiError('NOT_FOUND')));
  app.onError((error, c) => errorResponse(c, toApiError(error)));
  return app;
}

function toApiError(error: Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new ApiError('PAYLOAD_TOO_LARGE');
    if (/json/i.test(error.message)) return new ApiError('MALFORMED_JSON');
    if (error.status === 400) return new ApiError('VALIDATION_ERROR', error.message);
  }
  return new ApiError('INTERNAL', undefined, undefined, { cause: error });
}

async function accessLog(c: Context<GatewayEnv>, next: () => Promise<void>): Promise<void> {
  const started = performance.now();
  await next();
  const fields = {
    requestId: c.get('requestId'),
    orgId: c.get('orgId'),
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
  };
  if (c.res.status >= 500) {
    log.error({ ...fields, err: c.error?.cause ?? c.error }, 'request failed');
  } else {
    log.info(fields, 'request');
  }
}

async function readiness(c: Context<GatewayEnv>, deps: GatewayDeps): Promise<Response> {
  const timeout = AbortSignal.timeout(2000);
  const [database, postgrest] = await Promise.all([
    Promise.race([
      deps.sql`select 1`.then(() => true),
      new Promise<boolean>((resolve) => timeout.addEventListener('abort', () => resolve(false))),
    ]).catch(() => false),
    fetch(`${deps.postgrestAdminUrl}/ready`, { signal: timeout }).then(
      (r) => r.ok,
      () => false,
    ),
  ]);
  const checks = { database: database ? 'ok' : 'down', postgrest: postgrest ? 'ok' : 'down' };
  if (database && postgrest) return c.json({ data: { status: 'ready', checks } });
  return c.json(
    {
      error: {
        code: 'UNAVAILABLE',
        message: 'A dependency is unreachable.',
        details: Object.entries(checks)
          .filter(([, state]) => state === 'down')
          .map(([path]) => ({ path, message: 'unreachable' })),
        requestId: c.get('requestId'),
      },
    },
    503,
  );
}
