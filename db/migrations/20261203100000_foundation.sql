-- migrate:up

-- Roles are cluster-wide, so they may already exist when a second database
-- of the same cluster is migrated (the test suite does exactly that).
do $$
begin
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'scoring_anon') then
    create role scoring_anon nologin;
  end if;
  if not exists (select from pg_roles where rolname = 'scoring_api') then
    create role scoring_api nologin;
  end if;
  if not exists (select from pg_roles where rolname = 'scoring_analyst') then
    create role scoring_analyst nologin;
  end if;
end
$$;

grant scoring_anon to authenticator;
grant scoring_api to authenticator;
-- The API shows timestamps in UTC whatever the server's zone.
alter role authenticator set timezone to 'UTC';

create schema iam;
create schema scoring;
create schema signals;
create schema api;
create schema analytics;

comment on schema api is
  'The HTTP surface served by PostgREST. Views and functions only.';
comment on schema analytics is
  'Read-only views for analysts. snake_case, row-level security respected.';

revoke all on schema iam, scoring, signals from public;
grant usage on schema api to scoring_api, scoring_anon;
-- Views in api run with the invoker's rights, so the tenant role needs the
-- private schemas too. PostgREST only exposes api, and row-level security
-- limits every table to the org in the JWT.
grant usage on schema scoring, signals to scoring_api;

-- Tenancy ------------------------------------------------------------------

create function scoring.current_org_id() returns text
  language sql stable parallel safe
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claims', true), '')::json ->> 'org_id',
    nullif(current_setting('scoring.org_id', true), '')
  )
$$;

comment on function scoring.current_org_id() is
  'The org of the current request: the org_id claim of the PostgREST JWT, '
  'else the scoring.org_id setting (for analysts'' sessions).';

grant execute on function scoring.current_org_id() to scoring_api,
  scoring_analyst;

create function scoring._tg_set_updated_at() returns trigger
  language plpgsql volatile
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- Raises the contract's IMMUTABLE_FIELD error for a column that changed.
create function scoring._raise_immutable(field text) returns void
  language plpgsql immutable parallel safe
as $$
begin
  raise exception using
    errcode = 'PT422',
    message = 'IMMUTABLE_FIELD',
    detail = json_build_array(json_build_object(
      'path', field, 'message', field || ' cannot be changed'))::text;
end
$$;

-- IAM ------------------------------------------------------------------------

create table iam.orgs (
  id text primary key
    default left(replace(gen_random_uuid()::text, '-', ''), 24),
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);

comment on table iam.orgs is 'Tenants. Every tenant row carries org_id.';

create table iam.api_keys (
  org_id text not null references iam.orgs on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text check (length(name) <= 200),
  -- SHA-256 of the whole key; the key itself is never stored.
  key_hash bytea not null unique check (length(key_hash) = 32),
  prefix text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  primary key (org_id, id)
);

comment on table iam.api_keys is
  'sk_live_ keys. Only the SHA-256 of a key and a display prefix are kept.';

create function iam._tg_api_keys__notify_revoked() returns trigger
  language plpgsql volatile
as $$
begin
  perform pg_notify('iam_api_key_revoked', encode(new.key_hash, 'hex'));
  return null;
end
$$;

create trigger _900_notify_revoked
  after update of revoked_at on iam.api_keys
  for each row
  when (old.revoked_at is null and new.revoked_at is not null)
  execute function iam._tg_api_keys__notify_revoked();

create trigger _900_notify_deleted
  after delete on iam.api_keys
  for each row
  execute function iam._tg_api_keys__notify_revoked();

-- Secrets the processes of one installation share: the JWT secret between
-- gateway and PostgREST, and the authenticator role's password.
create table iam.runtime_secrets (
  name text primary key,
  value text not null
);

alter table iam.orgs enable row level security;
alter table iam.api_keys enable row level security;
alter table iam.runtime_secrets enable row level security;

-- Profiles -------------------------------------------------------------------

create table scoring.profiles (
  org_id text not null default scoring.current_org_id()
    references iam.orgs on delete cascade,
  id uuid not null default gen_random_uuid(),
  object_type text not null check (object_type in ('company', 'contact')),
  name text not null check (length(btrim(name)) between 1 and 200),
  description text check (length(description) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, id),
  -- Lets rules and assignments pin the profile's object type in their keys.
  unique (org_id, id, object_type)
);

create function scoring._tg_profiles__immutable() returns trigger
  language plpgsql volatile
as $$
begin
  if new.object_type is distinct from old.object_type then
    perform scoring._raise_immutable('objectType');
  end if;
  return new;
end
$$;

create trigger _100_timestamps
  before update on scoring.profiles
  for each row execute function scoring._tg_set_updated_at();

create trigger _200_immutable
  before update on scoring.profiles
  for each row execute function scoring._tg_profiles__immutable();

alter table scoring.profiles enable row level security;

create policy tenant on scoring.profiles
  using (org_id = (select scoring.current_org_id()))
  with check (org_id = (select scoring.current_org_id()));

grant select, delete on scoring.profiles to scoring_api;
grant insert (name, description, object_type) on scoring.profiles
  to scoring_api;
grant update (name, description, object_type) on scoring.profiles
  to scoring_api;

create view api.profiles with (security_invoker = true) as
  select
    id,
    org_id as "orgId",
    object_type as "objectType",
    name,
    description,
    created_at as "createdAt",
    updated_at as "updatedAt"
  from scoring.profiles;

comment on view api.profiles is
  'Scoring profiles: named, org-scoped configuration grouping rules for one '
  'object type.';
comment on column api.profiles."objectType" is
  'company or contact. Immutable after creation (IMMUTABLE_FIELD).';
comment on column api.profiles.description is 'Free text, nullable.';

grant select, insert, update, delete on api.profiles to scoring_api;

-- migrate:down

drop schema api, analytics, scoring, signals, iam cascade;
