import type { Context } from '../lib/context.js';
import { objectId } from '../lib/seed.js';
import { now, percentile, sleep, summarise, type Summary } from '../lib/stats.js';

export interface LatencyFigures {
  p50: number;
  p99: number;
  /** min, max and median over the samples. */
  samples: Summary;
}

export interface FreshnessResults {
  answerToScore: LatencyFigures;
  emptyJob: LatencyFigures;
  /**
   * An empty job queued 1 s ahead, as the answer trigger queues its compute
   * (debounce): what queueing alone costs before any compute. Fewer samples.
   */
  emptyJobDelayed: LatencyFigures;
  delayedSamples: number;
  samples: number;
}

function figures(samples: number[]): LatencyFigures {
  return {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    samples: summarise(samples),
  };
}

/**
 * The empty-job baseline: add a job, and the harness's worker (configured
 * like the project's) records how long it took to start it.
 */
async function emptyJobLatency(ctx: Context, samples: number, delayMs = 0): Promise<number[]> {
  const { sql } = ctx;
  await sql`truncate bench.job_latency`;
  const latencies: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    await sql`select graphile_worker.add_job('bench_noop',
      json_build_object('sample', ${sample}::int, 'addedAt', ${Date.now()}::bigint),
      run_at => now() + make_interval(secs => ${delayMs / 1000}))`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await sql<{ latency_ms: number }[]>`
        select latency_ms from bench.job_latency where sample = ${sample}`;
      if (row) {
        latencies.push(row.latency_ms);
        break;
      }
      if (Date.now() > deadline) throw new Error('empty job did not start within 30 s');
      await sleep(5);
    }
  }
  return latencies;
}

/**
 * W3: one answer written through the API, then the time until the score of
 * its dimension shows a higher version (polled in SQL every 5 ms). One
 * sample at a time, each on its own object, so writes never coalesce.
 */
async function answerToScoreLatency(ctx: Context, samples: number): Promise<number[]> {
  const { sql, data } = ctx;
  const profile = ctx.scoredProfile!;
  const rule = data.rules.find((r) => r.answerType === 'boolean')!;
  const template = data.templates[rule.templateIndex]!;
  const latencies: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const object = objectId(1 + (sample % profile.objects));
    const [before] = await sql<{ version: number }[]>`
      select version from scoring.scores
      where profile_id = ${profile.id} and object_id = ${object} and dimension = ${rule.dimension}`;
    if (!before) throw new Error(`no ${rule.dimension} score for ${object}`);
    const started = now();
    const response = await fetch(`${ctx.stack.gatewayUrl}/v1/signals/answers`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        answers: [
          {
            templateId: template.id,
            objectType: 'company',
            objectId: object,
            value: sample % 2 === 0,
          },
        ],
      }),
    });
    if (response.status !== 200)
      throw new Error(`answer write: ${response.status} ${await response.text()}`);
    await response.arrayBuffer().catch(() => {});
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [row] = await sql<{ version: number }[]>`
        select version from scoring.scores
        where profile_id = ${profile.id} and object_id = ${object} and dimension = ${rule.dimension}`;
      if (row && row.version > before.version) break;
      if (Date.now() > deadline) throw new Error(`score of ${object} not recomputed within 60 s`);
      await sleep(5);
    }
    latencies.push(now() - started);
  }
  return latencies;
}

export async function runFreshness(ctx: Context): Promise<FreshnessResults> {
  if (!ctx.scoredProfile) throw new Error('W3 needs the scores W1 (a) leaves');
  const samples = ctx.options.freshnessSamples;
  const empty = await emptyJobLatency(ctx, samples);
  ctx.progress(`W3 empty job: p50 ${percentile(empty, 50).toFixed(1)} ms`);
  const delayedSamples = Math.min(samples, 20);
  const delayed = await emptyJobLatency(ctx, delayedSamples, 1000);
  ctx.progress(`W3 empty job run 1 s ahead: p50 ${percentile(delayed, 50).toFixed(1)} ms`);
  const fresh = await answerToScoreLatency(ctx, samples);
  ctx.progress(`W3 answer to score: p50 ${percentile(fresh, 50).toFixed(1)} ms`);
  return {
    answerToScore: figures(fresh),
    emptyJob: figures(empty),
    emptyJobDelayed: figures(delayed),
    delayedSamples,
    samples,
  };
}
