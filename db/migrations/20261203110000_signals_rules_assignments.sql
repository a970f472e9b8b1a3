-- migrate:up

-- Tables only; validation functions, triggers, api views and functions for
-- this area are added below this block as the area is built.

create table signals.templates (
  org_id text not null default scoring.current_org_id()
    references iam.orgs on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 200),
  object_type text not null check (object_type in ('company', 'contact')),
  answer_type text not null
    check (answer_type in ('boolean', 'number', 'select', 'multi_select')),
  options jsonb,
  latest_version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, id),
  -- Rules reference (org, template, answer type, object type) so a rule can
  -- never disagree with its template.
  unique (org_id, id, answer_type, object_type)
);

create table signals.template_versions (
  org_id text not null,
  id uuid not null default gen_random_uuid(),
  template_id uuid not null,
  version integer not null check (version >= 1),
  definition jsonb not null default '{}',
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  unique (org_id, template_id, version),
  unique (org_id, template_id, id),
  foreign key (org_id, template_id)
    references signals.templates (org_id, id) on delete cascade
);

-- One row per (object, template version): a write replaces the earlier
-- answer to the same version; answers to other versions stay.
create table signals.answers (
  org_id text not null,
  object_type text not null check (object_type in ('company', 'contact')),
  object_id text not null,
  template_id uuid not null,
  template_version_id uuid not null,
  value jsonb not null,
  answered_at timestamptz not null default now(),
  primary key (org_id, object_type, object_id, template_version_id),
  foreign key (org_id, template_id, template_version_id)
    references signals.template_versions (org_id, template_id, id)
    on delete cascade
);

-- The compute's lookup: latest answer per (object, template).
create index answers_latest_idx on signals.answers
  (org_id, object_type, object_id, template_id, answered_at desc);

create table scoring.rules (
  org_id text not null default scoring.current_org_id(),
  id uuid not null default gen_random_uuid(),
  profile_id uuid not null,
  object_type text not null,
  template_id uuid not null,
  dimension text not null
    check (dimension ~ '^[a-z][a-z0-9_]{0,62}$'),
  answer_type text not null,
  point_values jsonb not null,
  selector jsonb check (selector is null),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, id),
  unique (org_id, profile_id, template_id, dimension),
  foreign key (org_id, profile_id, object_type)
    references scoring.profiles (org_id, id, object_type) on delete cascade,
  foreign key (org_id, template_id, answer_type, object_type)
    references signals.templates (org_id, id, answer_type, object_type)
);

create index rules_template_idx on scoring.rules (org_id, template_id);

create table scoring.assignments (
  org_id text not null default scoring.current_org_id(),
  id uuid not null default gen_random_uuid(),
  profile_id uuid not null,
  object_type text not null,
  object_id text not null,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  unique (org_id, profile_id, object_id),
  foreign key (org_id, profile_id, object_type)
    references scoring.profiles (org_id, id, object_type) on delete cascade
);

create index assignments_object_idx on scoring.assignments
  (org_id, object_type, object_id);

alter table signals.templates enable row level security;
alter table signals.template_versions enable row level security;
alter table signals.answers enable row level security;
alter table scoring.rules enable row level security;
alter table scoring.assignments enable row level security;

create policy tenant on signals.templates
  using (org_id = (select scoring.current_org_id()))
  with check (org_id = (select scoring.current_org_id()));
create policy tenant on signals.template_versions
  using (org_id = (select scoring.current_org_id()))
  with check (org_id = (select scoring.current_org_id()));
create policy tenant on signals.answers
  using (org_id = (select scoring.current_org_id()))
  with check (org_id = (select scoring.current_org_id()));
create policy tenant on scoring.rules
  using (org_id = (select scoring.current_org_id()))
  with check (org_id = (select scoring.current_org_id()));
create policy tenant on scoring.assignments
  using (org_id = (select scoring.current_org_id()))
  with check (org_id = (select scoring.current_org_id()));

-- migrate:down

drop table scoring.assignments, scoring.rules, signals.answers,
  signals.template_versions, signals.templates;
