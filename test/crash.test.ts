import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import {
  answerTo,
  assign,
  createProfile,
  createTemplate,
  freshScores,
  comparable,
  latestScores,
  spawnWorker,
  upsertRule,
  waitFor,
  writeAnswers,
  type WorkerProcess,
} from './scores-fixtures.js';
import { databaseUrl, sql } from './support/stack.js';

// This suite runs in a database of its own, so that the only workers that
// can take its jobs are the ones it starts and kills.
const name = `scoring_crash_${process.pid}`;
const crashUrl = (() => {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
})();
let db: postgres.Sql;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  await sql.unsafe(`create database ${name}`);
  await migrate(crashUrl);
  db = postgres(crashUrl, { max: 4, onnotice: () => {} });
}, 120_000);

afterAll(async () => {
  for (const worker of workers) await worker.kill();
  await db?.end();
  await sql.unsafe(`drop database if exists ${name} with (force)`);
});

/** Job rows of a profile's recompute, with who holds them. */
async function recomputeJobs(profileId: string) {
  return db<{ id: string; locked_by: string | null; key: string | null }[]>`
    select id, locked_by, key
    from graphile_worker._private_jobs
    where key = ${'recompute_scores:' + profileId}
      or payload::jsonb @> ${db.json([{ profileId }] as never)}::jsonb
    order by id`;
}

describe('a worker killed with SIGKILL in the middle of a batch', () => {
  it('loses nothing: once another worker runs, every score is correct within 60 seconds', async () => {
    const [{ id: orgId }] = await db<{ id: string }[]>`
      insert into iam.orgs (name) values ('crash test') returning id`;
    const profileId = await createProfile(db, orgId);
    const flag = await createTemplate(db, orgId, 'boolean');
    await upsertRule(db, orgId, {
      profileId, templateId: flag.templateId, dimension: 'fit', answerType: 'boolean',
      pointValues: { true: 10, false: 0 },
    });
    const objects = Array.from({ length: 2500 }, (_, i) => `o${String(i).padStart(4, '0')}.com`);
    await writeAnswers(db, orgId, objects.map((objectId) => answerTo(flag, objectId, true)));
    // One statement: one recompute_scores job of 2,500 objects, 3 chunks.
    await assign(db, orgId, profileId, objects);
    await db`delete from graphile_worker._private_jobs where key like 'profile_fan_out:%'`;

    // Hold the first object of the second chunk, so the worker commits the
    // first chunk and then waits inside the batch, where it is killed.
    const holder = await db.reserve();
    await holder`begin`;
    await holder`
      select 1 from scoring.assignments
      where profile_id = ${profileId} and object_id = ${objects[1000]} for update`;

    const doomed = await spawnWorker({ databaseUrl: crashUrl, concurrency: 1 });
    workers.push(doomed);
    await waitFor(async () => {
      const [{ count }] = await db<{ count: number }[]>`
        select count(*)::int as count from scoring.scores where profile_id = ${profileId}`;
      return count === 1000 ? count : undefined;
    }, 30_000, 'the first chunk');
    const [locked] = await recomputeJobs(profileId);
    expect(locked.locked_by).not.toBeNull();

    await doomed.kill();
    await holder`rollback`;
    holder.release();

    // A change while the dead worker still holds the job: graphile-worker
    // queues a new job for it and gives up on the held one (its attempts are
    // maxed), so the sweep must queue the held job's objects again.
    await writeAnswers(db, orgId, [
      answerTo(flag, objects[2400], false),
    ]);
    const held = (await recomputeJobs(profileId)).find((job) => job.id === locked.id);
    expect(held).toMatchObject({ locked_by: locked.locked_by, key: null });

    const rescuer = await spawnWorker({ databaseUrl: crashUrl, concurrency: 1 });
    workers.push(rescuer);
    const scored = await waitFor(async () => {
      const rows = await latestScores(db, profileId);
      const jobs = await recomputeJobs(profileId);
      return rows.length === objects.length && jobs.length === 0 ? rows : undefined;
    }, 60_000, 'every score after the crash');

    expect(scored.filter((row) => row.score !== '100.00').map((row) => row.object_id)).toEqual([
      objects[2400],
    ]);
    expect(comparable(scored)).toEqual(await freshScores(profileId, db));
  }, 120_000);
});
