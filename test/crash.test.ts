import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.kill();
});

afterAll(async () => {
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
      profileId,
      templateId: flag.templateId,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 10, false: 0 },
    });
    const objects = Array.from({ length: 2500 }, (_, i) => `o${String(i).padStart(4, '0')}.com`);
    await writeAnswers(
      db,
      orgId,
      objects.map((objectId) => answerTo(flag, objectId, true)),
    );
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
    await waitFor(
      async () => {
        const [{ count }] = await db<{ count: number }[]>`
        select count(*)::int as count from scoring.scores where profile_id = ${profileId}`;
        return count === 1000 ? count : undefined;
      },
      30_000,
      'the first chunk',
    );
    const [locked] = await recomputeJobs(profileId);
    expect(locked.locked_by).not.toBeNull();

    await doomed.kill();
    await holder`rollback`;
    holder.release();

    // A change while the dead worker still holds the job: graphile-worker
    // queues a new job for it and gives up on the held one (its attempts are
    // maxed), so the sweep must queue the held job's objects again.
    await writeAnswers(db, orgId, [answerTo(flag, objects[2400], false)]);
    const held = (await recomputeJobs(profileId)).find((job) => job.id === locked.id);
    expect(held).toMatchObject({ locked_by: locked.locked_by, key: null });

    const rescuer = await spawnWorker({ databaseUrl: crashUrl, concurrency: 1 });
    workers.push(rescuer);
    const scored = await waitFor(
      async () => {
        const rows = await latestScores(db, profileId);
        const jobs = await recomputeJobs(profileId);
        return rows.length === objects.length && jobs.length === 0 ? rows : undefined;
      },
      60_000,
      'every score after the crash',
    );

    expect(scored.filter((row) => row.score !== '100.00').map((row) => row.object_id)).toEqual([
      objects[2400],
    ]);
    expect(comparable(scored)).toEqual(await freshScores(profileId, db));
  }, 120_000);
});

describe('a batch superseded by a newer change while it ran', () => {
  it('is queued again when it then fails, so its objects are still computed', async () => {
    const [{ id: orgId }] = await db<{ id: string }[]>`
      insert into iam.orgs (name) values ('failure test') returning id`;
    const profileId = await createProfile(db, orgId);
    const flag = await createTemplate(db, orgId, 'boolean');
    await upsertRule(db, orgId, {
      profileId,
      templateId: flag.templateId,
      dimension: 'fit',
      answerType: 'boolean',
      pointValues: { true: 10, false: 0 },
    });
    // A failure injected into this suite's own database: every history
    // insert of this profile fails while the switch is on.
    await db.unsafe(`
      create table public.inject_failure (profile_id uuid primary key);
      create function public.fail_history() returns trigger language plpgsql as $$
      begin
        if exists (select from public.inject_failure where profile_id = new.profile_id) then
          raise exception 'injected failure';
        end if;
        return new;
      end $$;
      create trigger fail_history before insert on scoring.score_history
        for each row execute function public.fail_history();`);
    await db`insert into public.inject_failure values (${profileId})`;
    const objects = Array.from({ length: 20 }, (_, i) => `f${String(i).padStart(2, '0')}.com`);
    await writeAnswers(
      db,
      orgId,
      objects.map((objectId) => answerTo(flag, objectId, true)),
    );

    await assign(db, orgId, profileId, objects);
    // Only the assignment's batch may compute these objects: no fan-out.
    await db`delete from graphile_worker._private_jobs where key like 'profile_fan_out:%'`;
    const holder = await db.reserve();
    await holder`begin`;
    await holder`
      select 1 from scoring.assignments
      where profile_id = ${profileId} and object_id = ${objects[0]} for update`;
    const worker = await spawnWorker({ databaseUrl: crashUrl, concurrency: 1 });
    workers.push(worker);
    const [running] = await waitFor(
      async () => {
        const jobs = (await recomputeJobs(profileId)).filter((job) => job.locked_by !== null);
        return jobs.length > 0 ? jobs : undefined;
      },
      30_000,
      'the worker to take the batch',
    );

    // The newer change: graphile-worker gives up on the running job.
    await writeAnswers(db, orgId, [answerTo(flag, objects[19], false)]);
    await holder`rollback`;
    holder.release();
    const [failed] = await waitFor(
      async () => {
        const rows = await db<{ last_error: string | null }[]>`
        select last_error from graphile_worker._private_jobs
        where id = ${running.id} and last_error is not null`;
        return rows.length > 0 ? rows : undefined;
      },
      30_000,
      'the batch to fail',
    );
    await db`delete from public.inject_failure`;

    const scored = await waitFor(
      async () => {
        const rows = await latestScores(db, profileId);
        return rows.length === objects.length ? rows : undefined;
      },
      60_000,
      'every score after the failure',
    );

    expect(failed.last_error).toContain('injected failure');
    expect(scored.filter((row) => row.score !== '100.00').map((row) => row.object_id)).toEqual([
      objects[19],
    ]);
    expect(comparable(scored)).toEqual(await freshScores(profileId, db));
  }, 120_000);
});
