-- migrate:up

-- Analyst logins pinned to one org. A login listed here sees its org's rows
-- in the analytics views whatever it sets scoring.org_id to; only logins that
-- are not listed (DBAs, the owner) choose an org with that setting.
create table iam.analyst_logins (
  role_name text primary key,
  org_id text not null references iam.orgs on delete cascade,
  created_at timestamptz not null default now()
);

comment on table iam.analyst_logins is
  'Database logins of analysts, each pinned to the org it may read.';

alter table iam.analyst_logins enable row level security;

-- security definer: analysts may not read iam, nor even use the scoring
-- schema, and a plain function runs with its caller's rights even inside a
-- view. session_user, because that is who logged in, whatever role the
-- session has switched to since. The JWT claim comes first, so API requests
-- never look at analyst_logins.
create or replace function scoring.current_org_id() returns text
  language sql stable parallel safe
  security definer
  set search_path = pg_catalog
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claims', true), '')::json ->> 'org_id',
    (
      select a.org_id
      from iam.analyst_logins as a
      where a.role_name = session_user::text
    ),
    nullif(current_setting('scoring.org_id', true), '')
  )
$$;

comment on function scoring.current_org_id() is
  'The org of the current request: the org_id claim of the PostgREST JWT; '
  'else the org a pinned analyst login belongs to (iam.analyst_logins); '
  'else the scoring.org_id setting (DBAs'' sessions).';

-- migrate:down

create or replace function scoring.current_org_id() returns text
  language sql stable parallel safe
  security invoker
  reset search_path
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claims', true), '')::json ->> 'org_id',
    nullif(current_setting('scoring.org_id', true), '')
  )
$$;

drop table iam.analyst_logins;
