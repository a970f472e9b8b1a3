-- migrate:up

-- Scores: the formula, the set-based compute, versioned latest scores and
-- their history, the triggers that queue recomputes in the same transaction
-- as the change, worker heartbeats, and the api and analytics surfaces.

-- Tables ---------------------------------------------------------------------

-- The latest score per (profile, object, dimension). A row exists only while
-- its assignment does: deleting the assignment removes its latest scores.
create table scoring.scores (
  org_id text not null,
  profile_id uuid not null,
  object_type text not null,
  object_id text not null,
  dimension text not null,
  score numeric(5, 2) not null check (score between 0 and 100),
  previous_score numeric(5, 2),
  delta numeric(6, 2) generated always as (score - previous_score) stored,
  earned numeric not null,
  max_possible numeric not null,
  rules_with_answers integer not null,
  total_rules integer not null,
  version integer not null check (version >= 1),
  breakdown jsonb not null,
  computed_at timestamptz not null default now(),
  primary key (org_id, profile_id, object_id, dimension),
  foreign key (org_id, profile_id, object_id)
    references scoring.assignments (org_id, profile_id, object_id)
    on delete cascade
);

-- Reads by object across profiles (GET /v1/scoring/scores).
create index scores_object_idx on scoring.scores
  (org_id, object_type, object_id);

-- Every computed version. The primary key makes a repeated version for a
-- (profile, object, dimension) impossible, also across unassign/reassign.
create table scoring.score_history (
  org_id text not null,
  profile_id uuid not null,
  object_type text not null,
  object_id text not null,
  dimension text not null,
  version integer not null check (version >= 1),
  score numeric(5, 2) not null,
  previous_score numeric(5, 2),
  delta numeric(6, 2) generated always as (score - previous_score) stored,
  earned numeric not null,
  max_possible numeric not null,
  rules_with_answers integer not null,
  total_rules integer not null,
  breakdown jsonb not null,
  computed_at timestamptz not null,
  primary key (org_id, profile_id, object_id, dimension, version),
  foreign key (org_id, profile_id)
    references scoring.profiles (org_id, id) on delete cascade
);

-- Time-range reads by analysts (movers over the last days).
create index score_history_computed_idx on scoring.score_history
  (org_id, computed_at);

-- Jobs carry profile ids, not org ids; compute finds the org from the id.
create index profiles_id_idx on scoring.profiles (id);

alter table scoring.scores enable row level security;
alter table scoring.score_history enable row level security;

create policy tenant on scoring.scores
  using (org_id = (select scoring.current_org_id()));
create policy tenant on scoring.score_history
  using (org_id = (select scoring.current_org_id()));

grant select on scoring.scores to scoring_api;

-- Points of one rule ---------------------------------------------------------

-- The contract's table "points earned", for one rule and one answer. This is
-- the reference definition; compute() evaluates the same thing set-based
-- (see docs/tuning.md) and the property test checks both against a model.
create function scoring.rule_points(
  answer_type text, point_values jsonb, answer jsonb
) returns numeric
  language sql immutable parallel safe
as $$
  select case
    when answer is null or jsonb_typeof(answer) = 'null' then 0
    when answer_type = 'boolean' then
      coalesce((point_values ->> (answer #>> '{}'))::numeric, 0)
    when answer_type = 'number' and jsonb_typeof(answer) = 'number' then
      coalesce((
        select (r.range ->> 'points')::numeric
        from jsonb_array_elements(point_values -> 'ranges')
          with ordinality as r (range, position)
        where (r.range -> 'min' is null
            or answer::numeric >= (r.range ->> 'min')::numeric)
          and (r.range -> 'max' is null
            or answer::numeric < (r.range ->> 'max')::numeric)
        order by r.position
        limit 1), 0)
    when answer_type = 'select' then coalesce(
      (point_values -> 'options' ->> (answer #>> '{}'))::numeric,
      (point_values ->> 'otherwise')::numeric,
      0)
    when answer_type = 'multi_select' and jsonb_typeof(answer) = 'array'
      then least(
        coalesce((
          select sum((point_values -> 'options' ->> o.option)::numeric)
          from jsonb_array_elements_text(answer) as o (option)
        ), 0),
        (point_values ->> 'cap')::numeric)
    -- An answer of the wrong shape (never stored: answers are validated)
    -- earns nothing rather than failing.
    else 0
  end
$$;

comment on function scoring.rule_points(text, jsonb, jsonb) is
  'Points one rule earns for one answer (null answer: 0), as the contract '
  'defines them per answer type.';

grant execute on function scoring.rule_points(text, jsonb, jsonb)
  to scoring_api, scoring_analyst;

-- Compute --------------------------------------------------------------------

-- Computes every dimension of the profile for the given objects in one
-- set-based pass and writes the new versions. Objects that are not assigned
-- to the profile (any more) are skipped. Returns how many objects were
-- computed.
--
-- After locking, one statement reads the latest answers, joins them to point
-- tables expanded from the rules (instead of calling rule_points once per
-- object and rule), aggregates per (object, dimension) and writes the
-- results. PL/pgSQL, so that statement takes its snapshot after the lock.
create function scoring.compute(profile_id uuid, object_ids text[])
  returns integer
  language plpgsql volatile parallel unsafe
  set search_path = pg_catalog, pg_temp
  -- The planner's estimates for jsonb expansions are far too high, so JIT
  -- would compile for a second on every batch and gain nothing.
  set jit = off
  -- Sorts and hashes of a 10,000-object batch fit in memory (tuning.md).
  set work_mem = '32MB'
as $$
#variable_conflict use_column
declare
  v_org_id text;
  v_object_type text;
  v_locked text[];
begin
  select p.org_id, p.object_type
  into v_org_id, v_object_type
  from scoring.profiles as p
  where p.id = compute.profile_id;

  if not found then
    return 0;
  end if;

  -- Lock the batch's assignments in one fixed order, so two computes of one
  -- object serialise without deadlocking, and the later one's statement
  -- below sees everything committed before it got the lock.
  select coalesce(array_agg(l.object_id order by l.object_id), '{}')
  into v_locked
  from (
    select a.object_id
    from scoring.assignments as a
    where a.org_id = v_org_id
      and a.profile_id = compute.profile_id
      and a.object_id = any (compute.object_ids)
    order by a.object_id
    for update
  ) as l;

  if cardinality(v_locked) = 0 then
    return 0;
  end if;

  with batch as (
    select b.object_id
    from unnest(v_locked) as b (object_id)
  ),

  rules as (
    select r.id, r.template_id, r.dimension, r.answer_type, r.point_values,
      r.max_points,
      (r.point_values ->> 'otherwise')::numeric as otherwise,
      (r.point_values ->> 'cap')::numeric as cap
    from scoring.rules as r
    where r.org_id = v_org_id
      and r.profile_id = compute.profile_id
  ),

  -- (rule, option) -> points for boolean, select and multi_select rules.
  keyed_points as (
    select r.id as rule_id, k.key, k.value::numeric as points
    from rules as r
    cross join lateral jsonb_each(
      case r.answer_type
        when 'boolean' then r.point_values
        else r.point_values -> 'options'
      end) as k
    where r.answer_type <> 'number'
  ),

  -- (rule, [min, max)) -> points for number rules, in their given order.
  -- Materialized: it is read from a subplan per number answer below, which
  -- would otherwise expand the rule's ranges again for every answer.
  range_points as materialized (
    select r.id as rule_id, x.position,
      (x.range ->> 'min')::numeric as min,
      (x.range ->> 'max')::numeric as max,
      (x.range ->> 'points')::numeric as points
    from rules as r
    cross join lateral jsonb_array_elements(r.point_values -> 'ranges')
      with ordinality as x (range, position)
    where r.answer_type = 'number'
  ),

  -- The most recent answer per (object, template) of the batch: one index
  -- range per object, already in (object, template, answered_at) order.
  latest as (
    select distinct on (a.object_id, a.template_id)
      a.object_id, a.template_id, a.template_version_id, a.value
    from signals.answers as a
    where a.org_id = v_org_id
      and a.object_type = v_object_type
      and a.object_id = any (v_locked)
      and a.template_id in (select r.template_id from rules as r)
    order by a.object_id, a.template_id, a.answered_at desc,
      a.template_version_id desc
  ),

  pairs as (
    select b.object_id, r.id as rule_id, r.template_id, r.dimension,
      r.answer_type, r.max_points, r.otherwise, r.cap,
      l.template_version_id, l.value
    from batch as b
    cross join rules as r
    left join latest as l
      on l.object_id = b.object_id and l.template_id = r.template_id
  ),

  -- Points per (object, rule), computed once: materialized, because the
  -- aggregate below reads the value twice (sum and breakdown). Keyed rules
  -- join their point table; a number rule takes its first range holding the
  -- value; a multi_select rule sums the chosen options (answers hold
  -- distinct options, and ? tests membership), capped.
  points as materialized (
    select p.object_id, p.dimension, p.rule_id, p.template_id,
      p.template_version_id, p.value, p.max_points,
      case
        when p.value is null then 0
        when p.answer_type in ('boolean', 'select') then
          coalesce(k.points, p.otherwise, 0)
        when p.answer_type = 'number' then coalesce((
          select x.points
          from range_points as x
          where x.rule_id = p.rule_id
            and jsonb_typeof(p.value) = 'number'
            and (x.min is null or p.value::numeric >= x.min)
            and (x.max is null or p.value::numeric < x.max)
          order by x.position
          limit 1), 0)
        -- Answers hold distinct options, and ? tests membership.
        else least(coalesce((
          select sum(m.points)
          from keyed_points as m
          where m.rule_id = p.rule_id
            and jsonb_typeof(p.value) = 'array'
            and p.value ? m.key), 0), p.cap)
      end as points
    from pairs as p
    left join keyed_points as k
      on p.answer_type in ('boolean', 'select')
      and k.rule_id = p.rule_id
      and k.key = p.value #>> '{}'
  ),

  dimensions as (
    select x.object_id, x.dimension,
      sum(x.points) as earned,
      sum(x.max_points) as max_possible,
      count(x.value)::integer as rules_with_answers,
      count(*)::integer as total_rules,
      jsonb_agg(jsonb_build_object(
        'ruleId', x.rule_id,
        'signalTemplateId', x.template_id,
        'signalTemplateVersionId', x.template_version_id,
        'answer', x.value,
        'points', x.points,
        'maxPoints', x.max_points) order by x.rule_id) as breakdown
    from points as x
    group by x.object_id, x.dimension
  ),

  -- Versions continue after the highest recorded one, so a version never
  -- repeats for a (profile, object, dimension) even after a reassignment:
  -- the latest row has it; history is read only when there is none.
  scored as (
    select d.*,
      case when d.max_possible > 0 then
        round(least(greatest(d.earned / d.max_possible * 100, 0), 100), 2)
      else 0 end as score,
      coalesce(s.score, h.score) as previous_score,
      coalesce(s.version, h.version, 0) + 1 as version
    from dimensions as d
    -- The batch condition is redundant with the join but keeps the generic
    -- plan of this PL/pgSQL statement from reading all of the profile's
    -- latest scores for every chunk.
    left join scoring.scores as s
      on s.org_id = v_org_id
      and s.profile_id = compute.profile_id
      and s.object_id = any (v_locked)
      and s.object_id = d.object_id
      and s.dimension = d.dimension
    left join lateral (
      select h.version, h.score
      from scoring.score_history as h
      where s.version is null
        and h.org_id = v_org_id
        and h.profile_id = compute.profile_id
        and h.object_id = d.object_id
        and h.dimension = d.dimension
      order by h.version desc
      limit 1
    ) as h on true
  ),

  upserted as (
    insert into scoring.scores as s (
      org_id, profile_id, object_type, object_id, dimension, score,
      previous_score, earned, max_possible, rules_with_answers,
      total_rules, version, breakdown, computed_at)
    select v_org_id, compute.profile_id, v_object_type, x.object_id,
      x.dimension, x.score, x.previous_score, x.earned, x.max_possible,
      x.rules_with_answers, x.total_rules, x.version, x.breakdown, now()
    from scored as x
    on conflict (org_id, profile_id, object_id, dimension) do update set
      score = excluded.score,
      previous_score = excluded.previous_score,
      earned = excluded.earned,
      max_possible = excluded.max_possible,
      rules_with_answers = excluded.rules_with_answers,
      total_rules = excluded.total_rules,
      version = excluded.version,
      breakdown = excluded.breakdown,
      computed_at = excluded.computed_at
    returning s.*
  ),

  appended as (
    insert into scoring.score_history (
      org_id, profile_id, object_type, object_id, dimension, version,
      score, previous_score, earned, max_possible, rules_with_answers,
      total_rules, breakdown, computed_at)
    select u.org_id, u.profile_id, u.object_type, u.object_id, u.dimension,
      u.version, u.score, u.previous_score, u.earned, u.max_possible,
      u.rules_with_answers, u.total_rules, u.breakdown, u.computed_at
    from upserted as u
  )

  -- Dimensions that lost all their rules lose their latest score.
  delete from scoring.scores as s
  where s.org_id = v_org_id
    and s.profile_id = compute.profile_id
    and s.object_id = any (v_locked)
    and (s.object_id, s.dimension) not in (
      select x.object_id, x.dimension from scored as x);

  return cardinality(v_locked);
end
$$;

comment on function scoring.compute(uuid, text[]) is
  'Recomputes the latest scores of the given objects for one profile, '
  'set-based, and appends one history version per (object, dimension).';

revoke all on function scoring.compute(uuid, text[]) from public;

-- Queueing -------------------------------------------------------------------

-- Queues recompute_scores for some objects of one profile, coalescing with
-- the profile's waiting job (job_key per profile, preserve_run_at mode):
-- graphile-worker appends an array payload to the waiting job's, and ids
-- that job already holds are left out here. The row lock taken here also
-- keeps a worker from starting that job before this transaction commits,
-- so a job never runs without the changes that queued it.
--
-- When the keyed job is already running, graphile-worker detaches the key
-- from it, sets its attempts to the maximum and inserts a new job with only
-- the new ids. The running job is then never retried: if it fails, the
-- recompute_scores task queues its ids again itself (requeue_recompute_jobs),
-- and if its worker dies, sweep_stale_workers does.
create function scoring._queue_recompute(
  profile_id uuid, object_ids text[], delay interval
) returns void
  language plpgsql volatile parallel unsafe
  security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_key text := 'recompute_scores:' || profile_id;
  v_waiting json;
  v_ids text[];
begin
  select j.payload
  into v_waiting
  from graphile_worker._private_jobs as j
  where j.key = v_key
    and j.locked_at is null
    and j.attempts < j.max_attempts
  for update;

  select coalesce(array_agg(n.id), '{}')
  into v_ids
  from (
    select i.id from unnest(object_ids) as i (id) where i.id is not null
    except
    select w.id
    from json_array_elements(coalesce(v_waiting, '[]')) as e (batch)
    cross join json_array_elements_text(e.batch -> 'objectIds') as w (id)
  ) as n;

  if cardinality(v_ids) = 0 then
    return;
  end if;

  perform graphile_worker.add_job(
    'recompute_scores',
    json_build_array(json_build_object(
      'profileId', profile_id, 'objectIds', to_json(v_ids))),
    run_at => now() + delay,
    job_key => v_key,
    job_key_mode => 'preserve_run_at');
end
$$;

revoke all on function scoring._queue_recompute(uuid, text[], interval)
  from public;

-- Queues one profile_fan_out per profile: it recomputes every assignment of
-- the profile in chunks, so a rule change returns at once however many
-- objects the profile scores. Changes within the delay share one fan-out.
create function scoring._queue_profile_fan_out(profile_id uuid)
  returns void
  language sql volatile parallel unsafe
  security definer
  set search_path = pg_catalog, pg_temp
as $$
  select graphile_worker.add_job(
    'profile_fan_out',
    json_build_object('profileId', profile_id),
    run_at => now() + interval '500 milliseconds',
    job_key => 'profile_fan_out:' || profile_id,
    job_key_mode => 'preserve_run_at');
$$;

revoke all on function scoring._queue_profile_fan_out(uuid) from public;

-- Queues recompute_scores jobs for some objects of a profile, chunk_size
-- objects per job, in one statement. Chunk jobs have no job_key, so they run
-- on many workers at once; each is retried on its own. Returns the number of
-- jobs queued.
create function scoring.queue_recompute_chunks(
  profile_id uuid, object_ids text[], chunk_size integer
) returns integer
  language sql volatile parallel unsafe
  set search_path = pg_catalog, pg_temp
as $$
  with numbered as (
    select i.object_id,
      (row_number() over (order by i.object_id) - 1) / chunk_size as chunk
    from unnest(object_ids) as i (object_id)
  ),

  chunks as (
    select n.chunk, array_agg(n.object_id order by n.object_id) as ids
    from numbered as n
    group by n.chunk
  )

  select count(*)::integer
  from graphile_worker.add_jobs(array(
    select row(
      'recompute_scores',
      json_build_array(json_build_object(
        'profileId', queue_recompute_chunks.profile_id, 'objectIds', c.ids)),
      null, null, null, null, null, null
    )::graphile_worker.job_spec
    from chunks as c
    order by c.chunk))
$$;

comment on function scoring.queue_recompute_chunks(uuid, text[], integer) is
  'Queues recompute_scores for the given objects of a profile, chunk_size '
  'objects per job, without a job_key. Returns the number of jobs queued.';

revoke all on function scoring.queue_recompute_chunks(uuid, text[], integer)
  from public;

-- Used by the profile_fan_out task: recomputes every assignment of a profile
-- after its rules changed, in chunk jobs.
create function scoring.fan_out_profile(profile_id uuid, chunk_size integer)
  returns integer
  language sql volatile parallel unsafe
  set search_path = pg_catalog, pg_temp
as $$
  select scoring.queue_recompute_chunks(
    fan_out_profile.profile_id,
    array(
      select a.object_id
      from scoring.assignments as a
      join scoring.profiles as p
        on p.org_id = a.org_id and p.id = a.profile_id
      where p.id = fan_out_profile.profile_id),
    chunk_size)
$$;

comment on function scoring.fan_out_profile(uuid, integer) is
  'Queues recompute_scores over every assignment of a profile, chunk_size '
  'objects per job. Returns the number of jobs queued.';

revoke all on function scoring.fan_out_profile(uuid, integer) from public;

-- Triggers -------------------------------------------------------------------

-- New assignments (one or a bulk insert) get their first compute.
create function scoring._tg_assignments__enqueue() returns trigger
  language plpgsql volatile parallel unsafe
  security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  perform scoring._queue_recompute(
    n.profile_id, array_agg(n.object_id), interval '0')
  from inserted as n
  group by n.profile_id
  order by n.profile_id;
  return null;
end
$$;

create trigger _900_enqueue
  after insert on scoring.assignments
  referencing new table as inserted
  for each statement
  execute function scoring._tg_assignments__enqueue();

-- Answer writes queue a compute for each assigned (profile, object) whose
-- profile has a rule on the answer's template; others queue nothing. One
-- function serves the insert, update and delete triggers: Postgres allows a
-- transition table only on a single-event trigger.
create function signals._tg_answers__enqueue() returns trigger
  language plpgsql volatile parallel unsafe
  security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_keys jsonb;
begin
  -- An update from plain SQL may move an answer to another object or
  -- template, so both its old and its new row count.
  if tg_op = 'UPDATE' then
    select jsonb_agg(k)
    into v_keys
    from (
      select c.org_id, c.object_type, c.object_id, c.template_id
      from changed as c
      union
      select p.org_id, p.object_type, p.object_id, p.template_id
      from previous as p
    ) as k;
  else
    select jsonb_agg(k)
    into v_keys
    from (
      select distinct c.org_id, c.object_type, c.object_id, c.template_id
      from changed as c
    ) as k;
  end if;

  perform scoring._queue_recompute(
    t.profile_id, t.object_ids, interval '1 second')
  from (
    select a.profile_id, array_agg(distinct a.object_id) as object_ids
    from jsonb_to_recordset(v_keys) as c (
      org_id text, object_type text, object_id text, template_id uuid)
    -- Led by the object, so the lookup uses assignments_object_idx even
    -- before the planner has statistics for freshly loaded assignments.
    join scoring.assignments as a
      on a.org_id = c.org_id
      and a.object_type = c.object_type
      and a.object_id = c.object_id
    where exists (
      select from scoring.rules as r
      where r.org_id = c.org_id
        and r.template_id = c.template_id
        and r.profile_id = a.profile_id)
    group by a.profile_id
  ) as t
  order by t.profile_id;
  return null;
end
$$;

create trigger _900_enqueue_inserted
  after insert on signals.answers
  referencing new table as changed
  for each statement
  execute function signals._tg_answers__enqueue();

create trigger _900_enqueue_updated
  after update on signals.answers
  referencing old table as previous new table as changed
  for each statement
  execute function signals._tg_answers__enqueue();

create trigger _900_enqueue_deleted
  after delete on signals.answers
  referencing old table as changed
  for each statement
  execute function signals._tg_answers__enqueue();

-- Any rule change of a profile queues its (debounced) fan-out. Rules deleted
-- with their profile queue nothing. An update from plain SQL may move a rule
-- to another profile, so both profiles count.
create function scoring._tg_rules__enqueue() returns trigger
  language plpgsql volatile parallel unsafe
  security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_profiles uuid[];
begin
  if tg_op = 'UPDATE' then
    select array_agg(c.profile_id)
    into v_profiles
    from (
      select c.org_id, c.profile_id from changed as c
      union
      select p.org_id, p.profile_id from previous as p
    ) as c
    where exists (
      select from scoring.profiles as p
      where p.org_id = c.org_id and p.id = c.profile_id);
  else
    select array_agg(distinct c.profile_id)
    into v_profiles
    from changed as c
    where exists (
      select from scoring.profiles as p
      where p.org_id = c.org_id and p.id = c.profile_id);
  end if;

  perform scoring._queue_profile_fan_out(q.profile_id)
  from unnest(v_profiles) as q (profile_id)
  order by q.profile_id;
  return null;
end
$$;

create trigger _900_enqueue_inserted
  after insert on scoring.rules
  referencing new table as changed
  for each statement
  execute function scoring._tg_rules__enqueue();

create trigger _900_enqueue_updated
  after update on scoring.rules
  referencing old table as previous new table as changed
  for each statement
  execute function scoring._tg_rules__enqueue();

create trigger _900_enqueue_deleted
  after delete on scoring.rules
  referencing old table as changed
  for each statement
  execute function scoring._tg_rules__enqueue();

-- Queues the object ids of some recompute_scores jobs again, one call per
-- profile in profile order, for jobs that will not be retried themselves.
create function scoring.requeue_recompute_jobs(
  job_ids bigint[], delay interval
) returns void
  language sql volatile parallel unsafe
  security definer
  set search_path = pg_catalog, pg_temp
as $$
  select scoring._queue_recompute(q.profile_id, q.object_ids, delay)
  from (
    select (b.batch ->> 'profileId')::uuid as profile_id,
      array_agg(distinct w.id) as object_ids
    from graphile_worker._private_jobs as j
    cross join json_array_elements(j.payload) as b (batch)
    cross join json_array_elements_text(b.batch -> 'objectIds') as w (id)
    where j.id = any (job_ids)
      and json_typeof(j.payload) = 'array'
    group by 1
  ) as q
  order by q.profile_id;
$$;

comment on function scoring.requeue_recompute_jobs(bigint[], interval) is
  'Queues the object ids of the given recompute_scores jobs again, after '
  'delay.';

revoke all on function scoring.requeue_recompute_jobs(bigint[], interval)
  from public;

-- Worker heartbeats and the stale-worker sweep -------------------------------

-- One row per graphile-worker worker id, refreshed every few seconds by its
-- process. Not tenant data.
create table scoring.worker_heartbeats (
  worker_id text primary key,
  beat_at timestamptz not null default now()
);

alter table scoring.worker_heartbeats enable row level security;

create function scoring.beat_workers(worker_ids text[]) returns void
  language sql volatile parallel unsafe
  set search_path = pg_catalog, pg_temp
as $$
  insert into scoring.worker_heartbeats (worker_id, beat_at)
  select w.id, now()
  from unnest(worker_ids) as w (id)
  on conflict (worker_id) do update set beat_at = excluded.beat_at
$$;

comment on function scoring.beat_workers(text[]) is
  'Records that the given graphile-worker workers are alive.';

revoke all on function scoring.beat_workers(text[]) from public;

-- Stock graphile-worker leaves a killed worker's jobs locked for four hours.
-- This unlocks the jobs of every worker that holds a job but has not beaten
-- within stale_after, so other workers retry them. A recompute_scores job
-- that had been superseded while it ran (see _queue_recompute) would not be
-- retried: its ids are queued again and the job removed. Returns the ids of
-- the workers swept.
create function scoring.sweep_stale_workers(stale_after interval)
  returns text[]
  language plpgsql volatile parallel unsafe
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_workers text[];
  v_superseded bigint[];
begin
  select coalesce(array_agg(distinct j.locked_by), '{}')
  into v_workers
  from graphile_worker._private_jobs as j
  where j.locked_by is not null
    and j.locked_at < now() - stale_after
    and not exists (
      select from scoring.worker_heartbeats as h
      where h.worker_id = j.locked_by
        and h.beat_at >= now() - stale_after);

  if cardinality(v_workers) = 0 then
    return v_workers;
  end if;

  select coalesce(array_agg(j.id), '{}')
  into v_superseded
  from graphile_worker._private_jobs as j
  join graphile_worker._private_tasks as t on t.id = j.task_id
  where j.locked_by = any (v_workers)
    and t.identifier = 'recompute_scores'
    and j.attempts >= j.max_attempts;

  -- Unlocked first, so that the profile's own keyed job, if it was held by
  -- a dead worker too, is waiting again and takes the ids as a merge.
  perform graphile_worker.force_unlock_workers(v_workers);
  perform scoring.requeue_recompute_jobs(v_superseded, interval '0');
  perform graphile_worker.complete_jobs(v_superseded);

  delete from scoring.worker_heartbeats as h
  where h.beat_at < now() - interval '1 day';

  return v_workers;
end
$$;

comment on function scoring.sweep_stale_workers(interval) is
  'Unlocks the jobs of workers whose heartbeat is older than stale_after. '
  'Returns the ids of the workers swept.';

revoke all on function scoring.sweep_stale_workers(interval) from public;

-- API ------------------------------------------------------------------------

create view api.scores with (security_invoker = true) as
  select
    s.profile_id as "profileId",
    s.object_type as "objectType",
    s.object_id as "objectId",
    s.dimension,
    s.score,
    s.previous_score as "previousScore",
    s.delta,
    s.earned,
    s.max_possible as "maxPossible",
    s.rules_with_answers as "rulesWithAnswers",
    s.total_rules as "totalRules",
    s.version,
    s.breakdown,
    s.computed_at as "computedAt"
  from scoring.scores as s;

comment on view api.scores is
  'Latest score per (profile, object, dimension), with its per-rule '
  'breakdown.';
comment on column api.scores.score is
  'earned / maxPossible * 100, clamped to [0, 100], 2 decimals; 0 when '
  'maxPossible is 0.';
comment on column api.scores."previousScore" is
  'Score of the previous version; null on the first compute.';
comment on column api.scores.delta is
  'score - previousScore; null on the first compute.';
comment on column api.scores."maxPossible" is
  'Sum of maxPoints of every rule of the dimension, answered or not.';
comment on column api.scores."rulesWithAnswers" is
  'Rules with an answer available at compute time.';
comment on column api.scores."totalRules" is
  'Rules of the profile in this dimension.';
comment on column api.scores.version is
  'Starts at 1 and increments on every compute; never repeats.';
comment on column api.scores.breakdown is
  'One item per rule: ruleId, signalTemplateId, signalTemplateVersionId, '
  'answer, points, maxPoints.';

grant select on api.scores to scoring_api;

-- Normalises the ids of a request, raising the given error code with the
-- index of each invalid id (path is e.g. objectIds.3).
create function scoring._normalize_object_ids(
  object_type text, object_ids text[], path text, error_state text,
  error_code text
) returns text[]
  language plpgsql stable parallel unsafe
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_ids text[] := '{}';
  v_details jsonb := '[]';
  v_id text;
  v_normalized text;
  v_index integer := 0;
begin
  foreach v_id in array coalesce(object_ids, '{}') loop
    begin
      v_normalized := scoring.normalize_object_id(object_type, v_id);
    exception when sqlstate 'PT422' or sqlstate '22023' then
      v_normalized := null;
    end;
    if v_normalized is null then
      v_details := v_details || jsonb_build_object(
        'path', format('%s.%s', path, v_index),
        'message', 'not a valid ' || object_type || ' id');
    else
      v_ids := v_ids || v_normalized;
    end if;
    v_index := v_index + 1;
  end loop;

  if jsonb_array_length(v_details) > 0 then
    raise exception using
      errcode = error_state,
      message = error_code,
      detail = v_details::text;
  end if;

  return v_ids;
end
$$;

-- GET /v1/scoring/scores.
create function api.find_scores(
  "objectType" text,
  "objectIds" text[],
  "profileId" uuid default null,
  dimension text default null
) returns setof api.scores
  language plpgsql stable parallel unsafe
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_ids text[];
begin
  if "objectType" is null or "objectType" not in ('company', 'contact') then
    raise exception using
      errcode = 'PT400', message = 'INVALID_QUERY',
      detail = '[{"path": "objectType", '
        '"message": "must be company or contact"}]';
  end if;
  if cardinality("objectIds") is null
    or cardinality("objectIds") not between 1 and 500 then
    raise exception using
      errcode = 'PT400', message = 'INVALID_QUERY',
      detail = '[{"path": "objectId", '
        '"message": "give 1 to 500 objectId parameters"}]';
  end if;

  v_ids := scoring._normalize_object_ids(
    "objectType", "objectIds", 'objectId', 'PT400', 'INVALID_QUERY');

  return query
    select s.*
    from api.scores as s
    where s."objectType" = find_scores."objectType"
      and s."objectId" = any (v_ids)
      and (find_scores."profileId" is null
        or s."profileId" = find_scores."profileId")
      and (find_scores.dimension is null
        or s.dimension = find_scores.dimension)
    order by s."objectId", s."profileId", s.dimension;
end
$$;

comment on function api.find_scores(text, text[], uuid, text) is
  'Latest scores of 1 to 500 objects (ids normalised), optionally of one '
  'profile and one dimension. INVALID_QUERY (400) for bad parameters.';

revoke all on function api.find_scores(text, text[], uuid, text)
  from public;
grant execute on function api.find_scores(text, text[], uuid, text)
  to scoring_api;

-- POST /v1/scoring/scores/recompute.
create function api.recompute_scores(
  "objectType" text,
  "objectIds" text[],
  "profileId" uuid default null
) returns json
  language plpgsql volatile parallel unsafe
  security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_org_id text := scoring.current_org_id();
  v_ids text[];
  v_profile_type text;
  v_profile_id uuid;
  v_batch text[];
  v_queued text[] := '{}';
  v_profiles integer := 0;
begin
  if "objectType" is null or "objectType" not in ('company', 'contact') then
    raise exception using
      errcode = 'PT422', message = 'VALIDATION_ERROR',
      detail = '[{"path": "objectType", '
        '"message": "must be company or contact"}]';
  end if;
  if cardinality("objectIds") is null
    or cardinality("objectIds") not between 1 and 500 then
    raise exception using
      errcode = 'PT422', message = 'VALIDATION_ERROR',
      detail = '[{"path": "objectIds", "message": "1 to 500 ids"}]';
  end if;

  v_ids := scoring._normalize_object_ids(
    "objectType", "objectIds", 'objectIds', 'PT422', 'VALIDATION_ERROR');

  if "profileId" is not null then
    select p.object_type
    into v_profile_type
    from scoring.profiles as p
    where p.org_id = v_org_id and p.id = "profileId";

    if not found then
      raise exception using
        errcode = 'PT404', message = 'PROFILE_NOT_FOUND',
        detail = '[{"path": "profileId", "message": "no such profile"}]';
    end if;
    if v_profile_type <> "objectType" then
      raise exception using
        errcode = 'PT422', message = 'OBJECT_TYPE_MISMATCH',
        detail = format('[{"path": "objectType", "message": '
          '"the profile scores %s objects"}]', v_profile_type);
    end if;
  end if;

  -- One job per profile, in profile order (the order every queueing path
  -- uses, so two requests cannot deadlock on the profiles' job rows). Any
  -- failure to queue is RECOMPUTE_DISPATCH_FAILED: nothing was queued, since
  -- the whole transaction rolls back, and a retry is safe.
  begin
    for v_profile_id, v_batch in
      select a.profile_id, array_agg(a.object_id order by a.object_id)
      from scoring.assignments as a
      where a.org_id = v_org_id
        and a.object_type = "objectType"
        and a.object_id = any (v_ids)
        and ("profileId" is null or a.profile_id = "profileId")
      group by a.profile_id
      order by a.profile_id
    loop
      perform scoring._queue_recompute(v_profile_id, v_batch, interval '0');
      v_profiles := v_profiles + 1;
      v_queued := v_queued || v_batch;
    end loop;
  exception when others then
    raise exception using
      errcode = 'PT503', message = 'RECOMPUTE_DISPATCH_FAILED',
      detail = '[]';
  end;

  if v_profiles = 0 then
    raise exception using
      errcode = 'PT422', message = 'NO_ASSIGNMENTS',
      detail = '[{"path": "objectIds", '
        '"message": "none of the objects is assigned"}]';
  end if;

  return json_build_object(
    'objects', (select count(distinct q) from unnest(v_queued) as q),
    'profiles', v_profiles);
end
$$;

comment on function api.recompute_scores(text, text[], uuid) is
  'Queues a recompute of the given objects for every profile they are '
  'assigned to (or only profileId). Returns how many objects and profiles '
  'were queued. NO_ASSIGNMENTS when none is assigned.';

revoke all on function api.recompute_scores(text, text[], uuid)
  from public;
grant execute on function api.recompute_scores(text, text[], uuid)
  to scoring_api;

-- Analytics ------------------------------------------------------------------

-- These views run with their owner's rights, so an analyst needs no access
-- to the private tables; each filters on the session's org
-- (scoring.current_org_id()) exactly as the row-level security policies do.
create view analytics.latest_scores with (security_barrier = true) as
  select
    s.org_id,
    s.profile_id,
    p.name as profile_name,
    s.object_type,
    s.object_id,
    s.dimension,
    s.score,
    s.previous_score,
    s.delta,
    s.earned,
    s.max_possible,
    s.rules_with_answers,
    s.total_rules,
    s.version,
    s.breakdown,
    s.computed_at
  from scoring.scores as s
  join scoring.profiles as p
    on p.org_id = s.org_id and p.id = s.profile_id
  where s.org_id = (select scoring.current_org_id());

comment on view analytics.latest_scores is
  'Latest score per (profile, object, dimension) of the session''s org '
  '(set scoring.org_id). breakdown has one item per rule.';

create view analytics.score_history with (security_barrier = true) as
  select
    h.org_id,
    h.profile_id,
    p.name as profile_name,
    h.object_type,
    h.object_id,
    h.dimension,
    h.version,
    h.score,
    h.previous_score,
    h.delta,
    h.earned,
    h.max_possible,
    h.rules_with_answers,
    h.total_rules,
    h.breakdown,
    h.computed_at
  from scoring.score_history as h
  join scoring.profiles as p
    on p.org_id = h.org_id and p.id = h.profile_id
  where h.org_id = (select scoring.current_org_id());

comment on view analytics.score_history is
  'Every computed version per (profile, object, dimension) of the '
  'session''s org, kept after unassignment; deleted with the profile.';

grant usage on schema analytics to scoring_analyst;
grant select on analytics.latest_scores, analytics.score_history
  to scoring_analyst;

-- migrate:down

drop view analytics.score_history, analytics.latest_scores;
drop function api.recompute_scores(text, text[], uuid);
drop function api.find_scores(text, text[], uuid, text);
drop view api.scores;
drop trigger _900_enqueue on scoring.assignments;
drop trigger _900_enqueue_inserted on signals.answers;
drop trigger _900_enqueue_updated on signals.answers;
drop trigger _900_enqueue_deleted on signals.answers;
drop trigger _900_enqueue_inserted on scoring.rules;
drop trigger _900_enqueue_updated on scoring.rules;
drop trigger _900_enqueue_deleted on scoring.rules;
drop function signals._tg_answers__enqueue();
drop function scoring._tg_rules__enqueue();
drop function scoring._tg_assignments__enqueue();
drop function scoring._normalize_object_ids(text, text[], text, text, text);
drop function scoring.sweep_stale_workers(interval);
drop function scoring.requeue_recompute_jobs(bigint[], interval);
drop function scoring.beat_workers(text[]);
drop table scoring.worker_heartbeats;
drop function scoring.fan_out_profile(uuid, integer);
drop function scoring.queue_recompute_chunks(uuid, text[], integer);
drop function scoring._queue_profile_fan_out(uuid);
drop function scoring._queue_recompute(uuid, text[], interval);
drop function scoring.compute(uuid, text[]);
drop function scoring.rule_points(text, jsonb, jsonb);
drop index scoring.profiles_id_idx;
drop table scoring.score_history, scoring.scores;
