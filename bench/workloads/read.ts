import autocannon from 'autocannon';
import postgres from 'postgres';
import type { Context } from '../lib/context.js';
import { RssSampler, childrenOf, rssOf } from '../lib/proc.js';
import { objectId } from '../lib/seed.js';
import { now, percentile, summarise, type Summary } from '../lib/stats.js';

export interface ReadFigures {
  rps: Summary;
  p50: Summary;
  p99: Summary;
}

export interface ReadResults {
  /** By "<target> <companies>", e.g. "gateway 1". */
  variants: Record<string, ReadFigures>;
  seconds: number;
  connections: number;
  /** The gateway's RSS just before W2, for comparison with its peak. */
  gatewayIdleRssMb: number | null;
  gatewayPeakRssMb: number | null;
  postgrestPeakRssMb: number | null;
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
}

async function loadHttp(
  ctx: Context,
  options: { url: string; method: string; headers: Record<string, string>; body?: string },
): Promise<Run> {
  const result = await autocannon({
    ...options,
    connections: ctx.options.readConnections,
    duration: ctx.options.readSeconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${options.url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/**
 * The SQL PostgREST runs for the same request, through a postgres pool as
 * large as PostgREST's (20), from as many concurrent loops as autocannon has
 * connections: a transaction that takes the tenant role and JWT claims, then
 * the function call with the result aggregated to JSON.
 */
async function loadPool(ctx: Context, ids: string[]): Promise<Run> {
  const pool = postgres(ctx.stack.databaseUrl, { max: 20, onnotice: () => {} });
  const claims = JSON.stringify({ role: 'scoring_api', org_id: ctx.data.orgId });
  const once = () =>
    pool.begin(async (tx) => {
      await tx`select set_config('role', 'scoring_api', true),
      set_config('request.jwt.claims', ${claims}, true)`;
      const [row] = await tx`
      select coalesce(json_agg(t), '[]')::text as body
      from api.find_scores('company', ${ids}::text[]) as t`;
      return row!.body as string;
    });
  try {
    const first = JSON.parse(await once()) as unknown[];
    if (first.length !== ids.length * 2)
      throw new Error(`pool read returned ${first.length} scores`);
    const latencies: number[] = [];
    const end = now() + ctx.options.readSeconds * 1000;
    const started = now();
    await Promise.all(
      Array.from({ length: ctx.options.readConnections }, async () => {
        while (now() < end) {
          const t0 = now();
          await once();
          latencies.push(now() - t0);
        }
      }),
    );
    const elapsed = (now() - started) / 1000;
    return {
      rps: latencies.length / elapsed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  } finally {
    await pool.end({ timeout: 5 });
  }
}

/** W2: reads of 1 and of 100 companies through each layer. */
export async function runRead(ctx: Context): Promise<ReadResults> {
  const profile = ctx.scoredProfile;
  if (!profile) throw new Error('W2 needs the scores W1 (a) leaves');
  const runs: Record<string, Run[]> = {};
  const gatewayIdleRssMb = rssOf(ctx.stack.gateway.pid)?.rssMb ?? null;
  const gatewaySampler = new RssSampler(ctx.stack.gateway.pid).start();
  const postgrestPid = childrenOf(ctx.stack.gateway.pid)[0];
  const postgrestSampler = postgrestPid ? new RssSampler(postgrestPid).start() : null;
  for (let rep = 1; rep <= ctx.options.reps; rep++) {
    for (const companies of [1, 100]) {
      const ids = Array.from({ length: Math.min(companies, profile.objects) }, (_, i) =>
        objectId(i + 1),
      );
      const query = ids.map((id) => `objectId=${encodeURIComponent(id)}`).join('&');
      const gateway = {
        url: `${ctx.stack.gatewayUrl}/v1/scoring/scores?objectType=company&${query}`,
        method: 'GET',
        headers: { authorization: `Bearer ${ctx.apiKey}` },
      };
      // What the gateway's postgrest-js client sends for the same request.
      const direct = {
        url: `${ctx.stack.postgrestUrl}/rpc/find_scores`,
        method: 'POST',
        headers: {
          authorization: `Bearer ${ctx.jwt}`,
          'content-type': 'application/json',
          'content-profile': 'api',
        },
        body: JSON.stringify({ objectType: 'company', objectIds: ids }),
      };
      if (rep === 1) await checkResponses(gateway, direct, ids.length * 2);
      for (const target of ['gateway', 'postgrest', 'pool'] as const) {
        const run =
          target === 'gateway'
            ? await loadHttp(ctx, gateway)
            : target === 'postgrest'
              ? await loadHttp(ctx, direct)
              : await loadPool(ctx, ids);
        (runs[`${target} ${companies}`] ??= []).push(run);
        ctx.progress(
          `W2 ${target}, ${companies} compan${companies === 1 ? 'y' : 'ies'}, run ${rep}: ` +
            `${Math.round(run.rps)} req/s, p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms`,
        );
      }
    }
  }
  const variants: Record<string, ReadFigures> = {};
  for (const [name, list] of Object.entries(runs)) {
    variants[name] = {
      rps: summarise(list.map((r) => r.rps)),
      p50: summarise(list.map((r) => r.p50)),
      p99: summarise(list.map((r) => r.p99)),
    };
  }
  return {
    variants,
    seconds: ctx.options.readSeconds,
    connections: ctx.options.readConnections,
    gatewayIdleRssMb,
    gatewayPeakRssMb: gatewaySampler.stop(),
    postgrestPeakRssMb: postgrestSampler?.stop() ?? null,
  };
}

/** Both routes must answer 200 with every score before they are loaded. */
async function checkResponses(
  gateway: { url: string; headers: Record<string, string> },
  direct: { url: string; headers: Record<string, string>; body: string },
  expected: number,
) {
  const viaGateway = await fetch(gateway.url, { headers: gateway.headers });
  const gatewayBody = (await viaGateway.json()) as { data?: unknown[] };
  if (viaGateway.status !== 200 || gatewayBody.data?.length !== expected) {
    throw new Error(
      `gateway read: ${viaGateway.status} ${JSON.stringify(gatewayBody).slice(0, 200)}`,
    );
  }
  const viaPostgrest = await fetch(direct.url, {
    method: 'POST',
    headers: direct.headers,
    body: direct.body,
  });
  const directBody = (await viaPostgrest.json()) as unknown[];
  if (viaPostgrest.status !== 200 || directBody.length !== expected) {
    throw new Error(
      `postgrest read: ${viaPostgrest.status} ${JSON.stringify(directBody).slice(0, 200)}`,
    );
  }
}
