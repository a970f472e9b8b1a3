-- migrate:up

-- Signal templates, versions and answers; scoring rules; assignments.
-- Every invariant of the contract is enforced here, by functions, triggers
-- and constraints, so a row written by plain SQL is validated exactly like
-- one written through the api functions at the end of this file.

-- Errors ---------------------------------------------------------------------

-- One {path, message} item of an error's details, as a one-element array so
-- that items concatenate with ||.
create function scoring._detail(path text, message text) returns jsonb
  language sql immutable parallel safe
as $$
  select jsonb_build_array(
    jsonb_build_object('path', path, 'message', message))
$$;

-- Object identity ------------------------------------------------------------

-- The one definition of object identity (CONTRACT.md "Object identity").
-- Returns the normalised id, or null when raw is not a valid id of that
-- object type; callers turn null into a VALIDATION_ERROR naming their path.
create function scoring.normalize_object_id(object_type text, raw text)
  returns text
  language plpgsql immutable strict parallel safe
as $$
declare
  value text := lower(btrim(raw, e' \t\r\n\f\v'));
  slug text;
begin
  if object_type = 'company' then
    value := regexp_replace(value, '^([a-z][a-z0-9+.-]*:)?//', '');
    value := regexp_replace(value, '[/?#].*$', '');
    value := regexp_replace(value, ':[0-9]*$', '');
    value := regexp_replace(value, '\.$', '');
    -- www.com stays www.com: only a www. in front of a domain is stripped.
    if value ~ '^www\.[^.]+\.' then
      value := substr(value, 5);
    end if;
    if length(value) > 253
      or value !~ ('^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+'
                   '[a-z]([a-z0-9-]{0,61}[a-z0-9])?$') then
      return null;
    end if;
    return value;
  elsif object_type = 'contact' then
    slug := substring(value from
      '^(?:https?://)?(?:[a-z]{1,3}\.)?linkedin\.com/in/([^/?#]+)'
      '/?(?:[a-z]{2}(?:[-_][a-z]{2})?/?)?(?:[?#].*)?$');
    if slug is null or slug !~ '^[a-z0-9_%-]{3,200}$' then
      return null;
    end if;
    return 'https://www.linkedin.com/in/' || slug;
  end if;
  return null;
end
$$;

comment on function scoring.normalize_object_id(text, text) is
  'Normalised object id: a company''s bare domain or a contact''s '
  'https://www.linkedin.com/in/<slug>. Null when raw is not a valid id.';

-- Normalises an id or raises VALIDATION_ERROR naming the request path.
create function scoring._require_object_id(
  object_type text, raw text, path text
) returns text
  language plpgsql immutable parallel safe
as $$
declare
  normalized text := scoring.normalize_object_id(object_type, raw);
begin
  if normalized is null then
    raise exception using
      errcode = 'PT422',
      message = 'VALIDATION_ERROR',
      detail = scoring._detail(path, case object_type
        when 'contact' then 'must be a LinkedIn profile URL'
        else 'must be a domain such as acme.com' end)::text;
  end if;
  return normalized;
end
$$;

-- Point values ---------------------------------------------------------------

-- Errors of one points value n: a finite number in [-1000, 1000]. A missing
-- key arrives as SQL null.
create function scoring._points_errors(
  value jsonb, path text, required boolean default true
) returns jsonb
  language plpgsql immutable parallel safe
as $$
begin
  if value is null then
    return case when required
      then scoring._detail(path, 'is required') else '[]' end;
  elsif jsonb_typeof(value) <> 'number' then
    return scoring._detail(path, 'must be a number');
  elsif value::numeric not between -1000 and 1000 then
    return scoring._detail(path, 'must be between -1000 and 1000');
  end if;
  return '[]';
end
$$;

-- Errors for every key of object that is not in allowed.
create function scoring._unknown_key_errors(
  object jsonb, allowed text[], path text
) returns jsonb
  language sql immutable parallel safe
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
      'path', path || '.' || key, 'message', 'is not a known key')
      order by key), '[]')
  from jsonb_object_keys(object) as key
  where key <> all (allowed)
$$;

-- The numeric value of a JSON number; null for anything else. Written in
-- plpgsql so that the planner never folds the cast of a non-number.
create function scoring._number_or_null(value jsonb) returns numeric
  language plpgsql immutable parallel safe
as $$
begin
  if jsonb_typeof(value) = 'number' then
    return value::numeric;
  end if;
  return null;
end
$$;

-- A range bound may be any number a double can hold, so that a compute
-- in either numeric or double precision reads it the same.
create function scoring._bound_errors(value jsonb, path text) returns jsonb
  language plpgsql immutable parallel safe
as $$
begin
  if value is null then
    return '[]';
  elsif jsonb_typeof(value) <> 'number'
    or abs(value::numeric) > 1.7976931348623157e308 then
    return scoring._detail(path, 'must be a finite number');
  end if;
  return '[]';
end
$$;

-- number: {"ranges": [{"min"?, "max"?, "points"}, ...]}, half-open
-- [min, max), non-empty and non-overlapping.
create function scoring._number_point_values_errors(point_values jsonb)
  returns jsonb
  language plpgsql immutable parallel safe
as $$
declare
  ranges jsonb := point_values -> 'ranges';
  errors jsonb := scoring._unknown_key_errors(
    point_values, array['ranges'], 'pointValues');
  item jsonb;
  path text;
  index integer := 0;
  bounds record;
  previous_max numeric;
  previous_index integer;
begin
  if jsonb_typeof(ranges) is distinct from 'array'
    or jsonb_array_length(ranges) = 0 then
    return errors || scoring._detail(
      'pointValues.ranges', 'must be a non-empty array of ranges');
  end if;

  for item in select value from jsonb_array_elements(ranges) loop
    path := 'pointValues.ranges.' || index;
    index := index + 1;
    if jsonb_typeof(item) <> 'object' then
      errors := errors || scoring._detail(path, 'must be an object');
      continue;
    end if;
    errors := errors
      || scoring._unknown_key_errors(item, array['min', 'max', 'points'], path)
      || scoring._points_errors(item -> 'points', path || '.points')
      || scoring._bound_errors(item -> 'min', path || '.min')
      || scoring._bound_errors(item -> 'max', path || '.max');
    if scoring._number_or_null(item -> 'min')
      >= scoring._number_or_null(item -> 'max') then
      errors := errors
        || scoring._detail(path || '.max', 'must be greater than min');
    end if;
  end loop;
  if errors <> '[]' then
    return errors;
  end if;

  -- Sorted by lower bound (none first), each range must end at or before
  -- the next one starts.
  for bounds in
    select (r.value ->> 'min')::numeric as min,
      (r.value ->> 'max')::numeric as max, r.index - 1 as index
    from jsonb_array_elements(ranges) with ordinality as r(value, index)
    order by 1 nulls first, 3
  loop
    if previous_index is not null and (previous_max is null
      or bounds.min is null or previous_max > bounds.min) then
      errors := errors || scoring._detail(
        'pointValues.ranges.' || bounds.index,
        'overlaps range ' || previous_index);
    end if;
    previous_max := bounds.max;
    previous_index := bounds.index;
  end loop;
  return errors;
end
$$;

-- select and multi_select: {"options": {"<option>": n, ...}, <extra>?: n}.
-- extra is "otherwise" for select and "cap" (> 0) for multi_select.
create function scoring._option_point_values_errors(
  answer_type text, point_values jsonb, template_options jsonb
) returns jsonb
  language plpgsql immutable parallel safe
as $$
declare
  extra text := case answer_type when 'select' then 'otherwise' else 'cap' end;
  options jsonb := point_values -> 'options';
  errors jsonb := scoring._unknown_key_errors(
    point_values, array['options', extra], 'pointValues');
  option record;
begin
  errors := errors || scoring._points_errors(
    point_values -> extra, 'pointValues.' || extra, false);
  if extra = 'cap' and scoring._number_or_null(point_values -> 'cap') <= 0 then
    errors := errors || scoring._detail('pointValues.cap', 'must be above 0');
  end if;

  if jsonb_typeof(options) is distinct from 'object' or options = '{}' then
    return errors || scoring._detail(
      'pointValues.options', 'must be a non-empty object of option points');
  end if;
  for option in select key, value from jsonb_each(options) order by key loop
    if option.key = '' then
      errors := errors || scoring._detail(
        'pointValues.options', 'option names must not be empty');
      continue;
    end if;
    errors := errors || scoring._points_errors(
      option.value, 'pointValues.options.' || option.key);
    if jsonb_typeof(template_options) = 'array'
      and not template_options ? option.key then
      errors := errors || scoring._detail(
        'pointValues.options.' || option.key,
        'is not an option of the signal template');
    end if;
  end loop;
  return errors;
end
$$;

-- Every way point_values breaks the contract's shape for answer_type, as
-- {path, message} items; an empty array when it is valid. template_options
-- (the template's option list, if any) restricts the option keys.
create function scoring._point_values_errors(
  answer_type text, point_values jsonb, template_options jsonb default null
) returns jsonb
  language plpgsql immutable parallel safe
as $$
begin
  if jsonb_typeof(point_values) is distinct from 'object' then
    return scoring._detail('pointValues', 'must be an object');
  end if;
  case answer_type
    when 'boolean' then
      return scoring._unknown_key_errors(
          point_values, array['true', 'false'], 'pointValues')
        || scoring._points_errors(point_values -> 'true', 'pointValues.true')
        || scoring._points_errors(
          point_values -> 'false', 'pointValues.false');
    when 'number' then
      return scoring._number_point_values_errors(point_values);
    when 'select', 'multi_select' then
      return scoring._option_point_values_errors(
        answer_type, point_values, template_options);
    else
      return scoring._detail(
        'answerType', 'must be boolean, number, select or multi_select');
  end case;
end
$$;

create function scoring.validate_point_values(
  answer_type text, point_values jsonb, template_options jsonb default null
) returns boolean
  language plpgsql immutable parallel safe
as $$
declare
  errors jsonb := scoring._point_values_errors(
    answer_type, point_values, template_options);
begin
  if errors <> '[]' then
    raise exception using
      errcode = 'PT422',
      message = 'INVALID_POINT_VALUES',
      detail = errors::text;
  end if;
  return true;
end
$$;

comment on function scoring.validate_point_values(text, jsonb, jsonb) is
  'True when point_values fit answer_type (and the template''s options when '
  'given); otherwise raises PT422 INVALID_POINT_VALUES with every problem '
  'as {path, message} details. Used by the check constraint on rules.';

-- The most points a rule can award (CONTRACT.md, "maxPoints of the rule").
-- Only meaningful for valid point values; never raises.
create function scoring.rule_max_points(answer_type text, point_values jsonb)
  returns numeric
  language sql immutable parallel safe
as $$
  select case answer_type
    when 'boolean' then greatest(0,
      scoring._number_or_null(point_values -> 'true'),
      scoring._number_or_null(point_values -> 'false'))
    when 'number' then (
      select greatest(0, max(scoring._number_or_null(r -> 'points')))
      from jsonb_path_query(point_values, '$.ranges[*]', '{}', true) as r)
    when 'select' then (
      select greatest(0, max(scoring._number_or_null(o)),
        scoring._number_or_null(point_values -> 'otherwise'))
      from jsonb_path_query(point_values, '$.options.*', '{}', true) as o)
    when 'multi_select' then coalesce(
      scoring._number_or_null(point_values -> 'cap'),
      (select coalesce(sum(greatest(0, scoring._number_or_null(o))), 0)
       from jsonb_path_query(point_values, '$.options.*', '{}', true) as o))
  end
$$;

comment on function scoring.rule_max_points(text, jsonb) is
  'The most points a rule with these (valid) point values can award: '
  'max(0, entries) for boolean, number and select (with otherwise), cap or '
  'the sum of positive option points for multi_select.';

-- Tables ---------------------------------------------------------------------

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
  org_id text not null default scoring.current_org_id(),
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
  org_id text not null default scoring.current_org_id(),
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
  point_values jsonb not null
    check (scoring.validate_point_values(answer_type, point_values)),
  -- What the compute divides by; derived once, at write time.
  max_points numeric not null
    generated always as
      (scoring.rule_max_points(answer_type, point_values)) stored,
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

-- Signal templates -----------------------------------------------------------

-- Errors of a template's option list: null, or for select and multi_select
-- an array of distinct non-empty strings.
create function signals._options_errors(answer_type text, options jsonb)
  returns jsonb
  language plpgsql immutable parallel safe
as $$
begin
  if options is null then
    return '[]';
  elsif answer_type not in ('select', 'multi_select') then
    return scoring._detail('options', 'must be null for ' || answer_type);
  elsif jsonb_typeof(options) <> 'array'
    or jsonb_array_length(options) not between 1 and 1000
    or exists (
      select from jsonb_array_elements(options) as o
      where jsonb_typeof(o) <> 'string'
        or length(o #>> '{}') not between 1 and 200)
    or (select count(distinct o) <> count(*)
        from jsonb_array_elements(options) as o) then
    return scoring._detail('options',
      'must be 1 to 1000 distinct strings of 1 to 200 characters');
  end if;
  return '[]';
end
$$;

create function signals._tg_templates__validate() returns trigger
  language plpgsql volatile parallel unsafe
as $$
declare
  errors jsonb;
begin
  if tg_op = 'UPDATE' then
    if new.answer_type is distinct from old.answer_type then
      perform scoring._raise_immutable('answerType');
    elsif new.object_type is distinct from old.object_type then
      perform scoring._raise_immutable('objectType');
    end if;
  else
    -- Version 1 is created with the template (_900_first_version).
    new.latest_version := 1;
  end if;

  new.options := nullif(new.options, 'null');
  errors := signals._options_errors(new.answer_type, new.options);
  if new.object_type not in ('company', 'contact') then
    errors := errors || scoring._detail('objectType',
      'must be company or contact');
  end if;
  if new.answer_type not in ('boolean', 'number', 'select', 'multi_select')
  then
    errors := errors || scoring._detail('answerType',
      'must be boolean, number, select or multi_select');
  end if;
  if length(btrim(new.name)) not between 1 and 200 then
    errors := errors || scoring._detail('name', 'must be 1 to 200 characters');
  end if;
  if errors <> '[]' then
    raise exception using
      errcode = 'PT422', message = 'VALIDATION_ERROR', detail = errors::text;
  end if;
  return new;
end
$$;

-- A new option list must still hold every option the template's rules score.
create function signals._tg_templates__revalidate_rules() returns trigger
  language plpgsql volatile parallel unsafe
as $$
declare
  errors jsonb;
begin
  select coalesce(jsonb_agg(jsonb_build_object(
      'path', 'options',
      'message', 'rule ' || r.id || ': ' || (e.item ->> 'path') || ' '
        || (e.item ->> 'message'))), '[]')
  into errors
  from scoring.rules as r
  cross join lateral jsonb_array_elements(scoring._point_values_errors(
    r.answer_type, r.point_values, new.options)) as e(item)
  where r.org_id = new.org_id and r.template_id = new.id;

  if errors <> '[]' then
    raise exception using
      errcode = 'PT422', message = 'INVALID_POINT_VALUES',
      detail = errors::text;
  end if;
  return new;
end
$$;

create function signals._tg_templates__refuse_in_use() returns trigger
  language plpgsql volatile parallel unsafe
as $$
begin
  -- Only a direct delete: when an org is deleted its rules go too.
  if pg_trigger_depth() = 1 and exists (
    select from scoring.rules
    where org_id = old.org_id and template_id = old.id) then
    raise exception using
      errcode = 'PT409',
      message = 'TEMPLATE_IN_USE',
      detail = scoring._detail('id',
        'scoring rules use this signal template; delete them first')::text;
  end if;
  return old;
end
$$;

-- Every template has version 1. Deferred to the end of the transaction so
-- that api.create_signal_template can write version 1 with its definition;
-- a template inserted by plain SQL gets an empty definition. Runs as the
-- owner because the tenant role may not write org_id.
create function signals._tg_templates__first_version() returns trigger
  language plpgsql volatile parallel unsafe
  security definer set search_path = ''
as $$
begin
  insert into signals.template_versions
    (org_id, template_id, version, definition)
  select new.org_id, new.id, 1, '{}'
  where exists (
      select from signals.templates
      where org_id = new.org_id and id = new.id)
    and not exists (
      select from signals.template_versions
      where org_id = new.org_id and template_id = new.id);
  return null;
end
$$;

create trigger _100_timestamps
  before update on signals.templates
  for each row execute function scoring._tg_set_updated_at();

create trigger _200_validate
  before insert or update on signals.templates
  for each row execute function signals._tg_templates__validate();

create trigger _300_revalidate_rules
  before update of options on signals.templates
  for each row
  when (new.options is distinct from old.options)
  execute function signals._tg_templates__revalidate_rules();

create trigger _200_refuse_in_use
  before delete on signals.templates
  for each row execute function signals._tg_templates__refuse_in_use();

create constraint trigger _900_first_version
  after insert on signals.templates
  deferrable initially deferred
  for each row execute function signals._tg_templates__first_version();

-- Runs as the owner: the tenant role may not write latest_version itself.
create function signals._tg_template_versions__latest() returns trigger
  language plpgsql volatile parallel unsafe
  security definer set search_path = ''
as $$
begin
  update signals.templates
  set latest_version = new.version
  where org_id = new.org_id
    and id = new.template_id
    and latest_version < new.version;
  return null;
end
$$;

create trigger _500_latest_version
  after insert on signals.template_versions
  for each row execute function signals._tg_template_versions__latest();

-- Answers --------------------------------------------------------------------

-- Errors of an answer value for a template's answer type and options.
create function signals._answer_value_errors(
  answer_type text, options jsonb, value jsonb, path text
) returns jsonb
  language plpgsql immutable parallel safe
as $$
declare
  listed boolean := jsonb_typeof(options) = 'array';
begin
  case answer_type
    when 'boolean' then
      if jsonb_typeof(value) is distinct from 'boolean' then
        return scoring._detail(path, 'must be true or false');
      end if;
    when 'number' then
      if jsonb_typeof(value) is distinct from 'number'
        or abs(value::numeric) > 1.7976931348623157e308 then
        return scoring._detail(path, 'must be a finite number');
      end if;
    when 'select' then
      if jsonb_typeof(value) is distinct from 'string'
        or length(value #>> '{}') not between 1 and 200 then
        return scoring._detail(path,
          'must be a string of 1 to 200 characters');
      elsif listed and not options @> jsonb_build_array(value) then
        return scoring._detail(path, 'must be an option of the template');
      end if;
    when 'multi_select' then
      if jsonb_typeof(value) is distinct from 'array' or exists (
        select from jsonb_array_elements(value) as v
        where jsonb_typeof(v) <> 'string'
          or length(v #>> '{}') not between 1 and 200) then
        return scoring._detail(path,
          'must be an array of strings of 1 to 200 characters');
      elsif (select count(distinct v) <> count(*)
             from jsonb_array_elements(value) as v) then
        return scoring._detail(path, 'must not repeat an option');
      elsif listed and not options @> value then
        return scoring._detail(path, 'must only hold options of the template');
      end if;
    else
      return scoring._detail(path, 'has no known answer type');
  end case;
  return '[]';
end
$$;

create function signals._tg_answers__validate() returns trigger
  language plpgsql volatile parallel unsafe
as $$
declare
  template record;
  errors jsonb := '[]';
begin
  if new.template_version_id is null then
    select v.id into new.template_version_id
    from signals.templates as t
    join signals.template_versions as v
      on v.org_id = t.org_id and v.template_id = t.id
      and v.version = t.latest_version
    where t.org_id = new.org_id and t.id = new.template_id;
  end if;

  select v.template_id, t.object_type, t.answer_type, t.options
  into template
  from signals.template_versions as v
  join signals.templates as t on t.org_id = v.org_id and t.id = v.template_id
  where v.org_id = new.org_id and v.id = new.template_version_id;

  -- An unknown template or version is left to the foreign key.
  if found then
    new.template_id := coalesce(new.template_id, template.template_id);
    if new.object_type is distinct from template.object_type then
      errors := errors || scoring._detail('objectType',
        'must be the template''s object type, ' || template.object_type);
    end if;
    errors := errors || signals._answer_value_errors(
      template.answer_type, template.options, new.value, 'value');
  end if;

  if new.answered_at > clock_timestamp() then
    errors := errors
      || scoring._detail('answeredAt', 'must not be in the future');
  end if;
  if errors <> '[]' then
    raise exception using
      errcode = 'PT422', message = 'VALIDATION_ERROR', detail = errors::text;
  end if;
  new.object_id := scoring._require_object_id(
    new.object_type, new.object_id, 'objectId');
  return new;
end
$$;

create trigger _200_validate
  before insert or update on signals.answers
  for each row execute function signals._tg_answers__validate();

-- Rules ----------------------------------------------------------------------

create function scoring._tg_rules__validate() returns trigger
  language plpgsql volatile parallel unsafe
as $$
declare
  template record;
  template_found boolean;
  profile_type text;
  errors jsonb := '[]';
begin
  new.selector := nullif(new.selector, 'null');
  if new.dimension !~ '^[a-z][a-z0-9_]{0,62}$' then
    raise exception using
      errcode = 'PT422', message = 'VALIDATION_ERROR',
      detail = scoring._detail('dimension',
        'must be a lower-case slug such as fit or intent')::text;
  end if;

  select object_type into profile_type
  from scoring.profiles
  where org_id = new.org_id and id = new.profile_id;
  new.object_type := coalesce(profile_type, new.object_type);

  select answer_type, object_type, options into template
  from signals.templates
  where org_id = new.org_id and id = new.template_id;
  template_found := found;

  if new.selector is not null then
    errors := scoring._detail('selector', 'must be null in v1');
  end if;
  -- An unknown profile or template is left to the foreign keys.
  if template_found and new.answer_type <> template.answer_type then
    errors := errors || scoring._detail('answerType',
      'must be the signal template''s answer type, ' || template.answer_type);
  elsif template_found and new.object_type <> template.object_type then
    errors := errors || scoring._detail('signalTemplateId',
      'the signal template scores ' || template.object_type
      || ', the profile scores ' || new.object_type);
  end if;
  errors := errors || scoring._point_values_errors(
    new.answer_type, new.point_values, template.options);

  if errors <> '[]' then
    raise exception using
      errcode = 'PT422', message = 'INVALID_POINT_VALUES',
      detail = errors::text;
  end if;
  return new;
end
$$;

create trigger _100_timestamps
  before update on scoring.rules
  for each row execute function scoring._tg_set_updated_at();

create trigger _200_validate
  before insert or update on scoring.rules
  for each row execute function scoring._tg_rules__validate();

-- Assignments ----------------------------------------------------------------

create function scoring._tg_assignments__validate() returns trigger
  language plpgsql volatile parallel unsafe
as $$
declare
  profile_type text;
begin
  select object_type into profile_type
  from scoring.profiles
  where org_id = new.org_id and id = new.profile_id;
  new.object_type := coalesce(new.object_type, profile_type);

  if new.object_type <> profile_type then
    raise exception using
      errcode = 'PT422',
      message = 'OBJECT_TYPE_MISMATCH',
      detail = scoring._detail('objectType',
        'the profile scores ' || profile_type)::text;
  end if;
  new.object_id := scoring._require_object_id(
    new.object_type, new.object_id, 'objectId');
  return new;
end
$$;

create trigger _200_validate
  before insert or update on scoring.assignments
  for each row execute function scoring._tg_assignments__validate();

-- api: helpers ---------------------------------------------------------------

-- The object type of a profile of the current org; PT404 PROFILE_NOT_FOUND
-- for unknown ids and other orgs' ids alike.
create function scoring._require_profile(profile_id uuid) returns text
  language plpgsql stable parallel safe
as $$
declare
  profile_type text;
begin
  select p.object_type into profile_type
  from scoring.profiles as p
  where p.org_id = scoring.current_org_id() and p.id = profile_id;
  if profile_type is null then
    raise exception using
      errcode = 'PT404',
      message = 'PROFILE_NOT_FOUND',
      detail = scoring._detail('profileId', 'no such profile')::text;
  end if;
  return profile_type;
end
$$;

create function scoring._raise_invalid_query(path text, message text)
  returns void
  language plpgsql stable parallel safe
as $$
begin
  raise exception using
    errcode = 'PT400',
    message = 'INVALID_QUERY',
    detail = scoring._detail(path, message)::text;
end
$$;

-- api: signal templates ------------------------------------------------------

create view api.signal_templates with (security_invoker = true) as
  select
    id,
    name,
    object_type as "objectType",
    answer_type as "answerType",
    options,
    latest_version as "latestVersion",
    created_at as "createdAt",
    updated_at as "updatedAt"
  from signals.templates;

comment on view api.signal_templates is
  'Signal templates: typed questions about an object whose answers rules '
  'score. Update name and options here; delete refuses templates in use '
  '(TEMPLATE_IN_USE).';
comment on column api.signal_templates.id is
  'The stable parent id that rules reference, across versions.';
comment on column api.signal_templates."answerType" is
  'boolean, number, select or multi_select. Immutable (IMMUTABLE_FIELD).';
comment on column api.signal_templates."objectType" is
  'company or contact. Immutable (IMMUTABLE_FIELD).';
comment on column api.signal_templates.options is
  'For select and multi_select: the allowed answers, or null for any.';
comment on column api.signal_templates."latestVersion" is
  'Number of the newest version; answers naming only the template use it.';

create view api.signal_template_versions with (security_invoker = true) as
  select
    id,
    template_id as "templateId",
    version,
    definition,
    created_at as "createdAt"
  from signals.template_versions;

comment on view api.signal_template_versions is
  'Versions 1, 2, ... of a signal template, each with a free JSON '
  'definition such as a question or prompt.';

create function api.create_signal_template(
  name text,
  "objectType" text,
  "answerType" text,
  options jsonb default null,
  definition jsonb default '{}'
) returns api.signal_templates
  language plpgsql volatile parallel unsafe
as $$
declare
  new_id uuid;
  result api.signal_templates;
begin
  insert into signals.templates (name, object_type, answer_type, options)
  values (create_signal_template.name, "objectType", "answerType",
    create_signal_template.options)
  returning id into new_id;

  insert into signals.template_versions (template_id, version, definition)
  values (new_id, 1, coalesce(create_signal_template.definition, '{}'));

  select * into result from api.signal_templates where id = new_id;
  return result;
end
$$;

comment on function api.create_signal_template(text, text, text, jsonb, jsonb)
  is 'Creates a signal template and its version 1 with the definition. '
  'VALIDATION_ERROR for a bad name, type or option list.';

create function api.create_signal_template_version(
  "templateId" uuid, definition jsonb
) returns api.signal_template_versions
  language plpgsql volatile parallel unsafe
as $$
declare
  next_version integer;
  new_id uuid;
  result api.signal_template_versions;
begin
  -- The row lock serialises concurrent version creation per template.
  select latest_version + 1 into next_version
  from signals.templates
  where org_id = scoring.current_org_id() and id = "templateId"
  for update;
  if next_version is null then
    raise exception using
      errcode = 'PT404',
      message = 'SIGNAL_TEMPLATE_NOT_FOUND',
      detail = scoring._detail('templateId', 'no such signal template')::text;
  end if;

  insert into signals.template_versions (template_id, version, definition)
  values ("templateId", next_version,
    coalesce(create_signal_template_version.definition, '{}'))
  returning id into new_id;

  select * into result from api.signal_template_versions where id = new_id;
  return result;
end
$$;

comment on function api.create_signal_template_version(uuid, jsonb) is
  'Creates version n+1 of a signal template. SIGNAL_TEMPLATE_NOT_FOUND for '
  'unknown and other orgs'' templates.';

-- api: answers ---------------------------------------------------------------

create view api.answers with (security_invoker = true) as
  select
    template_id as "templateId",
    template_version_id as "templateVersionId",
    object_type as "objectType",
    object_id as "objectId",
    value,
    answered_at as "answeredAt"
  from signals.answers;

comment on view api.answers is
  'Every stored answer: one per (object, template version). Read the '
  'latest per template with api.latest_answers.';
comment on column api.answers."objectId" is 'The normalised object id.';

-- The items of an answers request, each resolved against the current org's
-- templates: normalised object id (null when invalid), template version
-- (null when unknown) and everything needed to validate the value.
create function signals._resolve_answers(answers jsonb)
  returns table (
    item_index integer,
    object_type text,
    object_id text,
    template_id uuid,
    template_version_id uuid,
    value jsonb,
    answered_at timestamptz,
    names_version boolean,
    template_object_type text,
    answer_type text,
    options jsonb
  )
  language sql stable parallel safe
as $$
  select
    i.item_index::integer - 1,
    i.item ->> 'objectType',
    scoring.normalize_object_id(i.item ->> 'objectType',
      i.item ->> 'objectId'),
    t.template_id,
    t.version_id,
    i.item -> 'value',
    coalesce((i.item ->> 'answeredAt')::timestamptz, now()),
    i.item ? 'templateVersionId',
    t.object_type,
    t.answer_type,
    t.options
  from jsonb_array_elements(answers) with ordinality as i(item, item_index)
  left join lateral (
    select v.template_id, v.id as version_id, t.object_type, t.answer_type,
      t.options
    from signals.templates as t
    join signals.template_versions as v
      on v.org_id = t.org_id and v.template_id = t.id
      and v.version = t.latest_version
    where not i.item ? 'templateVersionId'
      and t.org_id = scoring.current_org_id()
      and t.id = (i.item ->> 'templateId')::uuid
    union all
    select v.template_id, v.id, t.object_type, t.answer_type, t.options
    from signals.template_versions as v
    join signals.templates as t
      on t.org_id = v.org_id and t.id = v.template_id
    where v.org_id = scoring.current_org_id()
      and v.id = (i.item ->> 'templateVersionId')::uuid
      and v.template_id = coalesce((i.item ->> 'templateId')::uuid,
        v.template_id)
  ) as t on true
$$;

-- Raises the request's first kind of problem with every item's details:
-- SIGNAL_TEMPLATE_NOT_FOUND, else VALIDATION_ERROR.
create function signals._check_answers(answers jsonb) returns void
  language plpgsql stable parallel safe
as $$
declare
  missing jsonb;
  errors jsonb;
begin
  select jsonb_agg(jsonb_build_object(
      'path', 'answers.' || item_index || case when names_version
        then '.templateVersionId' else '.templateId' end,
      'message', 'no such signal template or version') order by item_index)
  into missing
  from signals._resolve_answers(answers)
  where template_version_id is null;
  if missing is not null then
    raise exception using
      errcode = 'PT404', message = 'SIGNAL_TEMPLATE_NOT_FOUND',
      detail = missing::text;
  end if;

  select jsonb_agg(e.item order by r.item_index)
  into errors
  from signals._resolve_answers(answers) as r
  cross join lateral jsonb_array_elements(
    case when r.object_type is distinct from r.template_object_type
      then scoring._detail('answers.' || r.item_index || '.objectType',
        'must be the template''s object type, ' || r.template_object_type)
    when r.object_id is null
      then scoring._detail('answers.' || r.item_index || '.objectId',
        'must be a valid ' || r.object_type || ' id')
    else '[]' end
    || signals._answer_value_errors(r.answer_type, r.options, r.value,
      'answers.' || r.item_index || '.value')
    || case when r.answered_at > clock_timestamp()
      then scoring._detail('answers.' || r.item_index || '.answeredAt',
        'must not be in the future')
      else '[]' end
  ) as e(item);
  if errors is not null then
    raise exception using
      errcode = 'PT422', message = 'VALIDATION_ERROR', detail = errors::text;
  end if;
end
$$;

create function api.put_answers(answers jsonb) returns setof api.answers
  language plpgsql volatile parallel unsafe
as $$
begin
  if jsonb_typeof(answers) is distinct from 'array'
    or jsonb_array_length(answers) not between 1 and 1000 then
    raise exception using
      errcode = 'PT422', message = 'VALIDATION_ERROR',
      detail = scoring._detail('answers', 'must hold 1 to 1000 answers')::text;
  end if;
  perform signals._check_answers(answers);

  -- One statement for the whole request. A later item for the same
  -- (object, template version) wins, as if the items were sent in order.
  return query
  with latest as (
    select distinct on (r.object_type, r.object_id, r.template_version_id)
      r.*
    from signals._resolve_answers(answers) as r
    order by r.object_type, r.object_id, r.template_version_id,
      r.item_index desc
  ), stored as (
    insert into signals.answers as a (object_type, object_id, template_id,
      template_version_id, value, answered_at)
    select l.object_type, l.object_id, l.template_id, l.template_version_id,
      l.value, l.answered_at
    from latest as l
    -- Key order, so that concurrent writes lock rows in one order.
    order by l.object_type, l.object_id, l.template_version_id
    on conflict (org_id, object_type, object_id, template_version_id)
    do update set value = excluded.value, answered_at = excluded.answered_at
    returning a.template_id, a.template_version_id, a.object_type,
      a.object_id, a.value, a.answered_at
  )
  select s.*
  from stored as s
  join latest as l using (object_type, object_id, template_version_id)
  order by l.item_index;
end
$$;

comment on function api.put_answers(jsonb) is
  'Writes 1 to 1000 answers atomically. Each item: templateId (its latest '
  'version) or templateVersionId, objectType, objectId, value, answeredAt '
  '(optional, not in the future). Replaces the earlier answer to the same '
  'version. SIGNAL_TEMPLATE_NOT_FOUND or VALIDATION_ERROR with item paths.';

-- The object of a by-object read (?objectType=&objectId=), normalised, or
-- 400 INVALID_QUERY naming the parameter at fault.
create function scoring._query_object_id(object_type text, object_id text)
  returns text
  language plpgsql stable parallel safe
as $$
declare
  normalized text := scoring.normalize_object_id(object_type, object_id);
begin
  if object_type is null or object_type not in ('company', 'contact') then
    perform scoring._raise_invalid_query('objectType',
      'must be company or contact');
  elsif normalized is null then
    perform scoring._raise_invalid_query('objectId',
      'must be a valid ' || object_type || ' id');
  end if;
  return normalized;
end
$$;

create function api.latest_answers("objectType" text, "objectId" text)
  returns setof api.answers
  language plpgsql stable parallel safe
as $$
declare
  normalized text := scoring._query_object_id("objectType", "objectId");
begin

  -- Latest by answeredAt across versions, ties broken as scoring.compute
  -- breaks them, so this shows exactly the answers a compute uses.
  return query
  select distinct on (a.template_id)
    a.template_id, a.template_version_id, a.object_type, a.object_id,
    a.value, a.answered_at
  from signals.answers as a
  where a.org_id = scoring.current_org_id()
    and a.object_type = "objectType"
    and a.object_id = normalized
  order by a.template_id, a.answered_at desc, a.template_version_id desc;
end
$$;

comment on function api.latest_answers(text, text) is
  'The latest answer per signal template for one object, across template '
  'versions. INVALID_QUERY for an invalid objectType or objectId.';

-- api: rules -----------------------------------------------------------------

create view api.rules with (security_invoker = true) as
  select
    id,
    profile_id as "profileId",
    template_id as "signalTemplateId",
    dimension,
    answer_type as "answerType",
    point_values as "pointValues",
    selector,
    max_points as "maxPoints",
    created_at as "createdAt",
    updated_at as "updatedAt"
  from scoring.rules;

comment on view api.rules is
  'Scoring rules: point values for one signal template in one dimension of '
  'a profile. Write them with api.upsert_rule.';
comment on column api.rules."signalTemplateId" is
  'The stable parent template id, resolved across versions at compute time.';
comment on column api.rules."pointValues" is
  'Shape depends on answerType; validated by scoring.validate_point_values.';
comment on column api.rules.selector is 'Reserved; always null in v1.';
comment on column api.rules."maxPoints" is
  'The most points the rule can award, derived from pointValues.';

create function api.profile_rules("profileId" uuid) returns setof api.rules
  language plpgsql stable parallel safe
as $$
begin
  perform scoring._require_profile(profile_rules."profileId");
  return query
  select r.*
  from api.rules as r
  where r."profileId" = profile_rules."profileId"
  order by r."createdAt", r.id;
end
$$;

comment on function api.profile_rules(uuid) is
  'The rules of one profile, oldest first. PROFILE_NOT_FOUND.';

create function api.upsert_rule(
  "profileId" uuid,
  "signalTemplateId" uuid,
  dimension text,
  "answerType" text,
  "pointValues" jsonb,
  selector jsonb default null
) returns api.rules
  language plpgsql volatile parallel unsafe
as $$
#variable_conflict use_column
declare
  rule_id uuid;
  result api.rules;
begin
  perform scoring._require_profile("profileId");
  if not exists (
    select from signals.templates
    where org_id = scoring.current_org_id() and id = "signalTemplateId") then
    raise exception using
      errcode = 'PT404',
      message = 'SIGNAL_TEMPLATE_NOT_FOUND',
      detail = scoring._detail('signalTemplateId',
        'no such signal template')::text;
  end if;

  insert into scoring.rules as r (profile_id, template_id, dimension,
    answer_type, point_values, selector)
  values ("profileId", "signalTemplateId", upsert_rule.dimension,
    "answerType", "pointValues", upsert_rule.selector)
  on conflict (org_id, profile_id, template_id, dimension) do update
  set answer_type = excluded.answer_type,
    point_values = excluded.point_values,
    selector = excluded.selector
  returning r.id into rule_id;

  select * into result from api.rules where id = rule_id;
  return result;
end
$$;

comment on function api.upsert_rule(uuid, uuid, text, text, jsonb, jsonb) is
  'Creates or replaces the rule keyed by (profileId, signalTemplateId, '
  'dimension), keeping its id. PROFILE_NOT_FOUND, '
  'SIGNAL_TEMPLATE_NOT_FOUND, INVALID_POINT_VALUES, VALIDATION_ERROR.';

create function api.delete_rule("profileId" uuid, "ruleId" uuid)
  returns void
  language plpgsql volatile parallel unsafe
as $$
begin
  perform scoring._require_profile("profileId");
  delete from scoring.rules
  where org_id = scoring.current_org_id()
    and profile_id = "profileId"
    and id = "ruleId";
  if not found then
    raise exception using
      errcode = 'PT404',
      message = 'RULE_NOT_FOUND',
      detail = scoring._detail('ruleId', 'no such rule in the profile')::text;
  end if;
end
$$;

comment on function api.delete_rule(uuid, uuid) is
  'Deletes one rule of a profile. PROFILE_NOT_FOUND, RULE_NOT_FOUND.';

-- api: assignments -----------------------------------------------------------

create view api.assignments with (security_invoker = true) as
  select
    id,
    profile_id as "profileId",
    object_type as "objectType",
    object_id as "objectId",
    created_at as "createdAt"
  from scoring.assignments;

comment on view api.assignments is
  'Links of a profile to one company or contact. Delete here; create with '
  'api.create_assignment or api.create_assignments.';
comment on column api.assignments."objectId" is 'The normalised object id.';

create function api.create_assignment(
  "profileId" uuid, "objectType" text, "objectId" text
) returns api.assignments
  language plpgsql volatile parallel unsafe
as $$
declare
  normalized text := scoring._require_object_id(
    "objectType", "objectId", 'objectId');
  profile_type text := scoring._require_profile("profileId");
  new_id uuid;
  result api.assignments;
begin
  if "objectType" <> profile_type then
    raise exception using
      errcode = 'PT422',
      message = 'OBJECT_TYPE_MISMATCH',
      detail = scoring._detail('objectType',
        'the profile scores ' || profile_type)::text;
  end if;

  insert into scoring.assignments as a (profile_id, object_type, object_id)
  values ("profileId", "objectType", normalized)
  on conflict (org_id, profile_id, object_id) do nothing
  returning a.id into new_id;
  if new_id is null then
    raise exception using
      errcode = 'PT409',
      message = 'ALREADY_ASSIGNED',
      detail = scoring._detail('objectId',
        'already assigned to this profile')::text;
  end if;

  select * into result from api.assignments where id = new_id;
  return result;
end
$$;

comment on function api.create_assignment(uuid, text, text) is
  'Assigns one object to a profile. VALIDATION_ERROR, PROFILE_NOT_FOUND, '
  'OBJECT_TYPE_MISMATCH, ALREADY_ASSIGNED.';

create function api.create_assignments(
  "profileId" uuid, "objectType" text, "objectIds" jsonb
) returns setof api.assignments
  language plpgsql volatile parallel unsafe
as $$
declare
  errors jsonb;
  profile_type text;
begin
  -- 500 bounds the fan-out of one request: one row and one compute each.
  if jsonb_typeof("objectIds") is distinct from 'array'
    or jsonb_array_length("objectIds") not between 1 and 500 then
    raise exception using
      errcode = 'PT422', message = 'VALIDATION_ERROR',
      detail = scoring._detail('objectIds', 'must hold 1 to 500 ids')::text;
  end if;
  select jsonb_agg(jsonb_build_object(
      'path', 'objectIds.' || (i.item_index - 1),
      'message', 'must be a valid ' || "objectType" || ' id')
      order by i.item_index)
  into errors
  from jsonb_array_elements("objectIds") with ordinality as i(raw, item_index)
  where jsonb_typeof(i.raw) <> 'string'
    or scoring.normalize_object_id("objectType", i.raw #>> '{}') is null;
  if errors is not null then
    raise exception using
      errcode = 'PT422', message = 'VALIDATION_ERROR', detail = errors::text;
  end if;

  profile_type := scoring._require_profile("profileId");
  if "objectType" <> profile_type then
    raise exception using
      errcode = 'PT422',
      message = 'OBJECT_TYPE_MISMATCH',
      detail = scoring._detail('objectType',
        'the profile scores ' || profile_type)::text;
  end if;

  -- One insert statement; ids repeated in the request or already assigned
  -- are left out of the result.
  return query
  with ids as (
    select scoring.normalize_object_id("objectType", i.raw #>> '{}')
        as object_id,
      min(i.item_index) as first_index
    from jsonb_array_elements("objectIds") with ordinality
      as i(raw, item_index)
    group by 1
  ), inserted as (
    insert into scoring.assignments as a (profile_id, object_type, object_id)
    select "profileId", "objectType", ids.object_id
    from ids
    -- Key order, so that concurrent requests lock rows in one order.
    order by ids.object_id
    on conflict (org_id, profile_id, object_id) do nothing
    returning a.id, a.profile_id, a.object_type, a.object_id, a.created_at
  )
  select inserted.*
  from inserted
  join ids using (object_id)
  order by ids.first_index;
end
$$;

comment on function api.create_assignments(uuid, text, jsonb) is
  'Assigns 1 to 500 objects to a profile atomically, in one insert. Returns '
  'only new assignments. VALIDATION_ERROR (objectIds.<index>), '
  'PROFILE_NOT_FOUND, OBJECT_TYPE_MISMATCH.';

create function api.object_assignments("objectType" text, "objectId" text)
  returns setof api.assignments
  language plpgsql stable parallel safe
as $$
declare
  normalized text := scoring._query_object_id("objectType", "objectId");
begin

  return query
  select a.*
  from api.assignments as a
  where a."objectType" = object_assignments."objectType"
    and a."objectId" = normalized
  order by a."createdAt", a.id;
end
$$;

comment on function api.object_assignments(text, text) is
  'The assignments of one object, oldest first. INVALID_QUERY for an '
  'invalid objectType or objectId.';

-- Grants ---------------------------------------------------------------------

grant select, delete on signals.templates to scoring_api;
grant insert (name, object_type, answer_type, options)
  on signals.templates to scoring_api;
-- answer_type and object_type are granted so that a change reaches the
-- trigger and fails as IMMUTABLE_FIELD rather than as a permission error.
grant update (name, object_type, answer_type, options)
  on signals.templates to scoring_api;
grant select on signals.template_versions to scoring_api;
grant insert (template_id, version, definition)
  on signals.template_versions to scoring_api;
grant select on signals.answers to scoring_api;
grant insert (object_type, object_id, template_id, template_version_id,
  value, answered_at) on signals.answers to scoring_api;
grant update (value, answered_at) on signals.answers to scoring_api;
grant select, delete on scoring.rules to scoring_api;
grant insert (profile_id, template_id, dimension, answer_type, point_values,
  selector) on scoring.rules to scoring_api;
grant update (answer_type, point_values, selector)
  on scoring.rules to scoring_api;
grant select, delete on scoring.assignments to scoring_api;
grant insert (profile_id, object_type, object_id)
  on scoring.assignments to scoring_api;

grant select, update, delete on api.signal_templates to scoring_api;
grant select on api.signal_template_versions, api.answers, api.rules
  to scoring_api;
grant select, delete on api.assignments to scoring_api;

revoke execute on function
  api.create_signal_template(text, text, text, jsonb, jsonb),
  api.create_signal_template_version(uuid, jsonb),
  api.put_answers(jsonb),
  api.latest_answers(text, text),
  api.profile_rules(uuid),
  api.upsert_rule(uuid, uuid, text, text, jsonb, jsonb),
  api.delete_rule(uuid, uuid),
  api.create_assignment(uuid, text, text),
  api.create_assignments(uuid, text, jsonb),
  api.object_assignments(text, text)
  from public;
grant execute on function
  api.create_signal_template(text, text, text, jsonb, jsonb),
  api.create_signal_template_version(uuid, jsonb),
  api.put_answers(jsonb),
  api.latest_answers(text, text),
  api.profile_rules(uuid),
  api.upsert_rule(uuid, uuid, text, text, jsonb, jsonb),
  api.delete_rule(uuid, uuid),
  api.create_assignment(uuid, text, text),
  api.create_assignments(uuid, text, jsonb),
  api.object_assignments(text, text)
  to scoring_api;

-- migrate:down

drop function api.create_signal_template(text, text, text, jsonb, jsonb),
  api.create_signal_template_version(uuid, jsonb),
  api.put_answers(jsonb),
  api.latest_answers(text, text),
  api.profile_rules(uuid),
  api.upsert_rule(uuid, uuid, text, text, jsonb, jsonb),
  api.delete_rule(uuid, uuid),
  api.create_assignment(uuid, text, text),
  api.create_assignments(uuid, text, jsonb),
  api.object_assignments(text, text);
drop view api.signal_templates, api.signal_template_versions, api.answers,
  api.rules, api.assignments;
drop table scoring.assignments, scoring.rules, signals.answers,
  signals.template_versions, signals.templates;
drop function scoring._require_profile(uuid),
  scoring._query_object_id(text, text),
  scoring._raise_invalid_query(text, text),
  signals._resolve_answers(jsonb),
  signals._check_answers(jsonb),
  signals._options_errors(text, jsonb),
  signals._tg_templates__validate(),
  signals._tg_templates__revalidate_rules(),
  signals._tg_templates__refuse_in_use(),
  signals._tg_templates__first_version(),
  signals._tg_template_versions__latest(),
  signals._answer_value_errors(text, jsonb, jsonb, text),
  signals._tg_answers__validate(),
  scoring._tg_rules__validate(),
  scoring._tg_assignments__validate(),
  scoring.rule_max_points(text, jsonb),
  scoring.validate_point_values(text, jsonb, jsonb),
  scoring._point_values_errors(text, jsonb, jsonb),
  scoring._option_point_values_errors(text, jsonb, jsonb),
  scoring._number_point_values_errors(jsonb),
  scoring._bound_errors(jsonb, text),
  scoring._number_or_null(jsonb),
  scoring._unknown_key_errors(jsonb, text[], text),
  scoring._points_errors(jsonb, text, boolean),
  scoring._require_object_id(text, text, text),
  scoring.normalize_object_id(text, text),
  scoring._detail(text, text);
