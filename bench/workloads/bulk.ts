import { waitForScores, settle, type Context } from '../lib/context.js';
import { createProfile, objectId, resetScores } from '../lib/seed.js';
import { now, summarise, type Summary } from '../lib/stats.js';

export interface BulkResults {
  requests: number;
  idsPerRequest: number;
  concurrency: number;
  assignmentsPerSecond: Summary;
  /** From the first request to the last score. */
  secondsToAllScores: Summary;
  /** History rows per latest score: how many times each object was computed. */
  computesPerScore: Summary;
}

const IDS_PER_REQUEST = 500;

/**
 * W4: bulk assignment through the API, 500 ids a request from a few
 * concurrent clients; then the time until every assigned object is scored.
 */
export async function runBulk(ctx: Context): Promise<BulkResults> {
  const { sql, data, options } = ctx;
  const requests = options.bulkRequests;
  const rates: number[] = [];
  const totals: number[] = [];
  const amplification: number[] = [];
  for (let rep = 1; rep <= options.reps; rep++) {
    await resetScores(sql, data, ctx.stack.embedded);
    const profileId = await createProfile(sql, data, `w4-${rep}`);
    await settle(sql);
    let next = 0;
    const started = now();
    await Promise.all(
      Array.from({ length: options.bulkConcurrency }, async () => {
        while (next < requests) {
          const index = next++;
          const objectIds = Array.from({ length: IDS_PER_REQUEST }, (_, i) =>
            objectId(index * IDS_PER_REQUEST + i + 1),
          );
          const response = await fetch(`${ctx.stack.gatewayUrl}/v1/scoring/assignments/bulk`, {
            method: 'POST',
            headers: { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ profileId, objectType: 'company', objectIds }),
          });
          const body = (await response.json()) as { data?: unknown[] };
          if (response.status !== 201 || body.data?.length !== IDS_PER_REQUEST) {
            throw new Error(
              `bulk assignment: ${response.status} ${JSON.stringify(body).slice(0, 200)}`,
            );
          }
        }
      }),
    );
    const assigned = now();
    const objects = requests * IDS_PER_REQUEST;
    const done = await waitForScores(sql, profileId, objects * 2, ['recompute_scores']);
    rates.push(objects / ((assigned - started) / 1000));
    totals.push((done - started) / 1000);
    const [{ history }] = await sql<{ history: number }[]>`
      select count(*)::int as history from scoring.score_history where profile_id = ${profileId}`;
    amplification.push(history / (objects * 2));
    ctx.progress(
      `W4 run ${rep}: ${Math.round(rates.at(-1)!)} assignments/s, all ${objects} ` +
        `scored after ${totals.at(-1)!.toFixed(1)} s, ${amplification.at(-1)!.toFixed(2)} computes per score`,
    );
  }
  return {
    requests,
    idsPerRequest: IDS_PER_REQUEST,
    concurrency: options.bulkConcurrency,
    assignmentsPerSecond: summarise(rates),
    secondsToAllScores: summarise(totals),
    computesPerScore: summarise(amplification),
  };
}
