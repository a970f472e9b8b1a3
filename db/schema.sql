\restrict dbmate

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: analytics; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA analytics;


--
-- Name: SCHEMA analytics; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA analytics IS 'Read-only views for analysts. snake_case, row-level security respected.';


--
-- Name: api; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA api;


--
-- Name: SCHEMA api; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA api IS 'The HTTP surface served by PostgREST. Views and functions only.';


--
-- Name: iam; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA iam;


--
-- Name: scoring; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA scoring;


--
-- Name: signals; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA signals;


--
-- Name: current_org_id(); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring.current_org_id() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
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


--
-- Name: FUNCTION current_org_id(); Type: COMMENT; Schema: scoring; Owner: -
--

COMMENT ON FUNCTION scoring.current_org_id() IS 'The org of the current request: the org_id claim of the PostgREST JWT; else the org a pinned analyst login belongs to (iam.analyst_logins); else the scoring.org_id setting (DBAs'' sessions).';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: assignments; Type: TABLE; Schema: scoring; Owner: -
--

CREATE TABLE scoring.assignments (
    org_id text DEFAULT scoring.current_org_id() NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    profile_id uuid NOT NULL,
    object_type text NOT NULL,
    object_id text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: assignments; Type: VIEW; Schema: api; Owner: -
--

CREATE VIEW api.assignments WITH (security_invoker='true') AS
 SELECT assignments.id,
    assignments.profile_id AS "profileId",
    assignments.object_type AS "objectType",
    assignments.object_id AS "objectId",
    assignments.created_at AS "createdAt"
   FROM scoring.assignments;


--
-- Name: VIEW assignments; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON VIEW api.assignments IS 'Links of a profile to one company or contact. Delete here; create with api.create_assignment or api.create_assignments.';


--
-- Name: COLUMN assignments."objectId"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.assignments."objectId" IS 'The normalised object id.';


--
-- Name: create_assignment(uuid, text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_assignment("profileId" uuid, "objectType" text, "objectId" text) RETURNS api.assignments
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION create_assignment("profileId" uuid, "objectType" text, "objectId" text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_assignment("profileId" uuid, "objectType" text, "objectId" text) IS 'Assigns one object to a profile. VALIDATION_ERROR, PROFILE_NOT_FOUND, OBJECT_TYPE_MISMATCH, ALREADY_ASSIGNED.';


--
-- Name: create_assignments(uuid, text, jsonb); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_assignments("profileId" uuid, "objectType" text, "objectIds" jsonb) RETURNS SETOF api.assignments
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION create_assignments("profileId" uuid, "objectType" text, "objectIds" jsonb); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_assignments("profileId" uuid, "objectType" text, "objectIds" jsonb) IS 'Assigns 1 to 500 objects to a profile atomically, in one insert. Returns only new assignments. VALIDATION_ERROR (objectIds.<index>), PROFILE_NOT_FOUND, OBJECT_TYPE_MISMATCH.';


--
-- Name: templates; Type: TABLE; Schema: signals; Owner: -
--

CREATE TABLE signals.templates (
    org_id text DEFAULT scoring.current_org_id() NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    object_type text NOT NULL,
    answer_type text NOT NULL,
    options jsonb,
    latest_version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT templates_answer_type_check CHECK ((answer_type = ANY (ARRAY['boolean'::text, 'number'::text, 'select'::text, 'multi_select'::text]))),
    CONSTRAINT templates_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT templates_object_type_check CHECK ((object_type = ANY (ARRAY['company'::text, 'contact'::text])))
);


--
-- Name: signal_templates; Type: VIEW; Schema: api; Owner: -
--

CREATE VIEW api.signal_templates WITH (security_invoker='true') AS
 SELECT templates.id,
    templates.name,
    templates.object_type AS "objectType",
    templates.answer_type AS "answerType",
    templates.options,
    templates.latest_version AS "latestVersion",
    templates.created_at AS "createdAt",
    templates.updated_at AS "updatedAt"
   FROM signals.templates;


--
-- Name: VIEW signal_templates; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON VIEW api.signal_templates IS 'Signal templates: typed questions about an object whose answers rules score. Update name and options here; delete refuses templates in use (TEMPLATE_IN_USE).';


--
-- Name: COLUMN signal_templates.id; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.signal_templates.id IS 'The stable parent id that rules reference, across versions.';


--
-- Name: COLUMN signal_templates."objectType"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.signal_templates."objectType" IS 'company or contact. Immutable (IMMUTABLE_FIELD).';


--
-- Name: COLUMN signal_templates."answerType"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.signal_templates."answerType" IS 'boolean, number, select or multi_select. Immutable (IMMUTABLE_FIELD).';


--
-- Name: COLUMN signal_templates.options; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.signal_templates.options IS 'For select and multi_select: the allowed answers, or null for any.';


--
-- Name: COLUMN signal_templates."latestVersion"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.signal_templates."latestVersion" IS 'Number of the newest version; answers naming only the template use it.';


--
-- Name: create_signal_template(text, text, text, jsonb, jsonb); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_signal_template(name text, "objectType" text, "answerType" text, options jsonb DEFAULT NULL::jsonb, definition jsonb DEFAULT '{}'::jsonb) RETURNS api.signal_templates
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION create_signal_template(name text, "objectType" text, "answerType" text, options jsonb, definition jsonb); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_signal_template(name text, "objectType" text, "answerType" text, options jsonb, definition jsonb) IS 'Creates a signal template and its version 1 with the definition. VALIDATION_ERROR for a bad name, type or option list.';


--
-- Name: template_versions; Type: TABLE; Schema: signals; Owner: -
--

CREATE TABLE signals.template_versions (
    org_id text DEFAULT scoring.current_org_id() NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    template_id uuid NOT NULL,
    version integer NOT NULL,
    definition jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT template_versions_version_check CHECK ((version >= 1))
);


--
-- Name: signal_template_versions; Type: VIEW; Schema: api; Owner: -
--

CREATE VIEW api.signal_template_versions WITH (security_invoker='true') AS
 SELECT template_versions.id,
    template_versions.template_id AS "templateId",
    template_versions.version,
    template_versions.definition,
    template_versions.created_at AS "createdAt"
   FROM signals.template_versions;


--
-- Name: VIEW signal_template_versions; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON VIEW api.signal_template_versions IS 'Versions 1, 2, ... of a signal template, each with a free JSON definition such as a question or prompt.';


--
-- Name: create_signal_template_version(uuid, jsonb); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.create_signal_template_version("templateId" uuid, definition jsonb) RETURNS api.signal_template_versions
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION create_signal_template_version("templateId" uuid, definition jsonb); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.create_signal_template_version("templateId" uuid, definition jsonb) IS 'Creates version n+1 of a signal template. SIGNAL_TEMPLATE_NOT_FOUND for unknown and other orgs'' templates.';


--
-- Name: delete_rule(uuid, uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.delete_rule("profileId" uuid, "ruleId" uuid) RETURNS void
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION delete_rule("profileId" uuid, "ruleId" uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.delete_rule("profileId" uuid, "ruleId" uuid) IS 'Deletes one rule of a profile. PROFILE_NOT_FOUND, RULE_NOT_FOUND.';


--
-- Name: scores; Type: TABLE; Schema: scoring; Owner: -
--

CREATE TABLE scoring.scores (
    org_id text NOT NULL,
    profile_id uuid NOT NULL,
    object_type text NOT NULL,
    object_id text NOT NULL,
    dimension text NOT NULL,
    score numeric(5,2) NOT NULL,
    previous_score numeric(5,2),
    delta numeric(6,2) GENERATED ALWAYS AS ((score - previous_score)) STORED,
    earned numeric NOT NULL,
    max_possible numeric NOT NULL,
    rules_with_answers integer NOT NULL,
    total_rules integer NOT NULL,
    version integer NOT NULL,
    breakdown jsonb NOT NULL,
    computed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT scores_score_check CHECK (((score >= (0)::numeric) AND (score <= (100)::numeric))),
    CONSTRAINT scores_version_check CHECK ((version >= 1))
);


--
-- Name: scores; Type: VIEW; Schema: api; Owner: -
--

CREATE VIEW api.scores WITH (security_invoker='true') AS
 SELECT s.profile_id AS "profileId",
    s.object_type AS "objectType",
    s.object_id AS "objectId",
    s.dimension,
    s.score,
    s.previous_score AS "previousScore",
    s.delta,
    s.earned,
    s.max_possible AS "maxPossible",
    s.rules_with_answers AS "rulesWithAnswers",
    s.total_rules AS "totalRules",
    s.version,
    s.breakdown,
    s.computed_at AS "computedAt"
   FROM scoring.scores s;


--
-- Name: VIEW scores; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON VIEW api.scores IS 'Latest score per (profile, object, dimension), with its per-rule breakdown.';


--
-- Name: COLUMN scores.score; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.scores.score IS 'earned / maxPossible * 100, clamped to [0, 100], 2 decimals; 0 when maxPossible is 0.';


--
-- Name: COLUMN scores."previousScore"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.scores."previousScore" IS 'Score of the previous version; null on the first compute.';


--
-- Name: COLUMN scores.delta; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.scores.delta IS 'score - previousScore; null on the first compute.';


--
-- Name: COLUMN scores."maxPossible"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.scores."maxPossible" IS 'Sum of maxPoints of every rule of the dimension, answered or not.';


--
-- Name: COLUMN scores."rulesWithAnswers"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.scores."rulesWithAnswers" IS 'Rules with an answer available at compute time.';


--
-- Name: COLUMN scores."totalRules"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.scores."totalRules" IS 'Rules of the profile in this dimension.';


--
-- Name: COLUMN scores.version; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.scores.version IS 'Starts at 1 and increments on every compute; never repeats.';


--
-- Name: COLUMN scores.breakdown; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.scores.breakdown IS 'One item per rule: ruleId, signalTemplateId, signalTemplateVersionId, answer, points, maxPoints.';


--
-- Name: find_scores(text, text[], uuid, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.find_scores("objectType" text, "objectIds" text[], "profileId" uuid DEFAULT NULL::uuid, dimension text DEFAULT NULL::text) RETURNS SETOF api.scores
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION find_scores("objectType" text, "objectIds" text[], "profileId" uuid, dimension text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.find_scores("objectType" text, "objectIds" text[], "profileId" uuid, dimension text) IS 'Latest scores of 1 to 500 objects (ids normalised), optionally of one profile and one dimension. INVALID_QUERY (400) for bad parameters.';


--
-- Name: answers; Type: TABLE; Schema: signals; Owner: -
--

CREATE TABLE signals.answers (
    org_id text DEFAULT scoring.current_org_id() NOT NULL,
    object_type text NOT NULL,
    object_id text NOT NULL,
    template_id uuid NOT NULL,
    template_version_id uuid NOT NULL,
    value jsonb NOT NULL,
    answered_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT answers_object_type_check CHECK ((object_type = ANY (ARRAY['company'::text, 'contact'::text])))
);


--
-- Name: answers; Type: VIEW; Schema: api; Owner: -
--

CREATE VIEW api.answers WITH (security_invoker='true') AS
 SELECT answers.template_id AS "templateId",
    answers.template_version_id AS "templateVersionId",
    answers.object_type AS "objectType",
    answers.object_id AS "objectId",
    answers.value,
    answers.answered_at AS "answeredAt"
   FROM signals.answers;


--
-- Name: VIEW answers; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON VIEW api.answers IS 'Every stored answer: one per (object, template version). Read the latest per template with api.latest_answers.';


--
-- Name: COLUMN answers."objectId"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.answers."objectId" IS 'The normalised object id.';


--
-- Name: latest_answers(text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.latest_answers("objectType" text, "objectId" text) RETURNS SETOF api.answers
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
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


--
-- Name: FUNCTION latest_answers("objectType" text, "objectId" text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.latest_answers("objectType" text, "objectId" text) IS 'The latest answer per signal template for one object, across template versions. INVALID_QUERY for an invalid objectType or objectId.';


--
-- Name: object_assignments(text, text); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.object_assignments("objectType" text, "objectId" text) RETURNS SETOF api.assignments
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
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


--
-- Name: FUNCTION object_assignments("objectType" text, "objectId" text); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.object_assignments("objectType" text, "objectId" text) IS 'The assignments of one object, oldest first. INVALID_QUERY for an invalid objectType or objectId.';


--
-- Name: rule_max_points(text, jsonb); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring.rule_max_points(answer_type text, point_values jsonb) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
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
$_$;


--
-- Name: FUNCTION rule_max_points(answer_type text, point_values jsonb); Type: COMMENT; Schema: scoring; Owner: -
--

COMMENT ON FUNCTION scoring.rule_max_points(answer_type text, point_values jsonb) IS 'The most points a rule with these (valid) point values can award: max(0, entries) for boolean, number and select (with otherwise), cap or the sum of positive option points for multi_select.';


--
-- Name: validate_point_values(text, jsonb, jsonb); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring.validate_point_values(answer_type text, point_values jsonb, template_options jsonb DEFAULT NULL::jsonb) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
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


--
-- Name: FUNCTION validate_point_values(answer_type text, point_values jsonb, template_options jsonb); Type: COMMENT; Schema: scoring; Owner: -
--

COMMENT ON FUNCTION scoring.validate_point_values(answer_type text, point_values jsonb, template_options jsonb) IS 'True when point_values fit answer_type (and the template''s options when given); otherwise raises PT422 INVALID_POINT_VALUES with every problem as {path, message} details. Used by the check constraint on rules.';


--
-- Name: rules; Type: TABLE; Schema: scoring; Owner: -
--

CREATE TABLE scoring.rules (
    org_id text DEFAULT scoring.current_org_id() NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    profile_id uuid NOT NULL,
    object_type text NOT NULL,
    template_id uuid NOT NULL,
    dimension text NOT NULL,
    answer_type text NOT NULL,
    point_values jsonb NOT NULL,
    max_points numeric GENERATED ALWAYS AS (scoring.rule_max_points(answer_type, point_values)) STORED NOT NULL,
    selector jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT rules_check CHECK (scoring.validate_point_values(answer_type, point_values)),
    CONSTRAINT rules_dimension_check CHECK ((dimension ~ '^[a-z][a-z0-9_]{0,62}$'::text)),
    CONSTRAINT rules_selector_check CHECK ((selector IS NULL))
);


--
-- Name: rules; Type: VIEW; Schema: api; Owner: -
--

CREATE VIEW api.rules WITH (security_invoker='true') AS
 SELECT rules.id,
    rules.profile_id AS "profileId",
    rules.template_id AS "signalTemplateId",
    rules.dimension,
    rules.answer_type AS "answerType",
    rules.point_values AS "pointValues",
    rules.selector,
    rules.max_points AS "maxPoints",
    rules.created_at AS "createdAt",
    rules.updated_at AS "updatedAt"
   FROM scoring.rules;


--
-- Name: VIEW rules; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON VIEW api.rules IS 'Scoring rules: point values for one signal template in one dimension of a profile. Write them with api.upsert_rule.';


--
-- Name: COLUMN rules."signalTemplateId"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.rules."signalTemplateId" IS 'The stable parent template id, resolved across versions at compute time.';


--
-- Name: COLUMN rules."pointValues"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.rules."pointValues" IS 'Shape depends on answerType; validated by scoring.validate_point_values.';


--
-- Name: COLUMN rules.selector; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.rules.selector IS 'Reserved; always null in v1.';


--
-- Name: COLUMN rules."maxPoints"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.rules."maxPoints" IS 'The most points the rule can award, derived from pointValues.';


--
-- Name: profile_rules(uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.profile_rules("profileId" uuid) RETURNS SETOF api.rules
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
begin
  perform scoring._require_profile(profile_rules."profileId");
  return query
  select r.*
  from api.rules as r
  where r."profileId" = profile_rules."profileId"
  order by r."createdAt", r.id;
end
$$;


--
-- Name: FUNCTION profile_rules("profileId" uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.profile_rules("profileId" uuid) IS 'The rules of one profile, oldest first. PROFILE_NOT_FOUND.';


--
-- Name: put_answers(jsonb); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.put_answers(answers jsonb) RETURNS SETOF api.answers
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION put_answers(answers jsonb); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.put_answers(answers jsonb) IS 'Writes 1 to 1000 answers atomically. Each item: templateId (its latest version) or templateVersionId, objectType, objectId, value, answeredAt (optional, not in the future). Replaces the earlier answer to the same version. SIGNAL_TEMPLATE_NOT_FOUND or VALIDATION_ERROR with item paths.';


--
-- Name: recompute_scores(text, text[], uuid); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.recompute_scores("objectType" text, "objectIds" text[], "profileId" uuid DEFAULT NULL::uuid) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION recompute_scores("objectType" text, "objectIds" text[], "profileId" uuid); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.recompute_scores("objectType" text, "objectIds" text[], "profileId" uuid) IS 'Queues a recompute of the given objects for every profile they are assigned to (or only profileId). Returns how many objects and profiles were queued. NO_ASSIGNMENTS when none is assigned.';


--
-- Name: upsert_rule(uuid, uuid, text, text, jsonb, jsonb); Type: FUNCTION; Schema: api; Owner: -
--

CREATE FUNCTION api.upsert_rule("profileId" uuid, "signalTemplateId" uuid, dimension text, "answerType" text, "pointValues" jsonb, selector jsonb DEFAULT NULL::jsonb) RETURNS api.rules
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION upsert_rule("profileId" uuid, "signalTemplateId" uuid, dimension text, "answerType" text, "pointValues" jsonb, selector jsonb); Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON FUNCTION api.upsert_rule("profileId" uuid, "signalTemplateId" uuid, dimension text, "answerType" text, "pointValues" jsonb, selector jsonb) IS 'Creates or replaces the rule keyed by (profileId, signalTemplateId, dimension), keeping its id. PROFILE_NOT_FOUND, SIGNAL_TEMPLATE_NOT_FOUND, INVALID_POINT_VALUES, VALIDATION_ERROR.';


--
-- Name: _tg_api_keys__notify_revoked(); Type: FUNCTION; Schema: iam; Owner: -
--

CREATE FUNCTION iam._tg_api_keys__notify_revoked() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  perform pg_notify('iam_api_key_revoked', encode(new.key_hash, 'hex'));
  return null;
end
$$;


--
-- Name: _bound_errors(jsonb, text); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._bound_errors(value jsonb, path text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _detail(text, text); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._detail(path text, message text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  select jsonb_build_array(
    jsonb_build_object('path', path, 'message', message))
$$;


--
-- Name: _normalize_object_ids(text, text[], text, text, text); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._normalize_object_ids(object_type text, object_ids text[], path text, error_state text, error_code text) RETURNS text[]
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: _number_or_null(jsonb); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._number_or_null(value jsonb) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
begin
  if jsonb_typeof(value) = 'number' then
    return value::numeric;
  end if;
  return null;
end
$$;


--
-- Name: _number_point_values_errors(jsonb); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._number_point_values_errors(point_values jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _option_point_values_errors(text, jsonb, jsonb); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._option_point_values_errors(answer_type text, point_values jsonb, template_options jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _point_values_errors(text, jsonb, jsonb); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._point_values_errors(answer_type text, point_values jsonb, template_options jsonb DEFAULT NULL::jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _points_errors(jsonb, text, boolean); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._points_errors(value jsonb, path text, required boolean DEFAULT true) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _query_object_id(text, text); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._query_object_id(object_type text, object_id text) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _queue_profile_fan_out(uuid); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._queue_profile_fan_out(profile_id uuid) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select graphile_worker.add_job(
    'profile_fan_out',
    json_build_object('profileId', profile_id),
    run_at => now() + interval '500 milliseconds',
    job_key => 'profile_fan_out:' || profile_id,
    job_key_mode => 'preserve_run_at');
$$;


--
-- Name: _queue_recompute(uuid, text[], interval); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._queue_recompute(profile_id uuid, object_ids text[], delay interval) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: _raise_immutable(text); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._raise_immutable(field text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
begin
  raise exception using
    errcode = 'PT422',
    message = 'IMMUTABLE_FIELD',
    detail = json_build_array(json_build_object(
      'path', field, 'message', field || ' cannot be changed'))::text;
end
$$;


--
-- Name: _raise_invalid_query(text, text); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._raise_invalid_query(path text, message text) RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
begin
  raise exception using
    errcode = 'PT400',
    message = 'INVALID_QUERY',
    detail = scoring._detail(path, message)::text;
end
$$;


--
-- Name: _require_object_id(text, text, text); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._require_object_id(object_type text, raw text, path text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _require_profile(uuid); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._require_profile(profile_id uuid) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _tg_assignments__enqueue(); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._tg_assignments__enqueue() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform scoring._queue_recompute(
    n.profile_id, array_agg(n.object_id), interval '0')
  from inserted as n
  group by n.profile_id
  order by n.profile_id;
  return null;
end
$$;


--
-- Name: _tg_assignments__validate(); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._tg_assignments__validate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: _tg_profiles__immutable(); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._tg_profiles__immutable() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  if new.object_type is distinct from old.object_type then
    perform scoring._raise_immutable('objectType');
  end if;
  return new;
end
$$;


--
-- Name: _tg_rules__enqueue(); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._tg_rules__enqueue() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: _tg_rules__validate(); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._tg_rules__validate() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
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
$_$;


--
-- Name: _tg_set_updated_at(); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._tg_set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  new.updated_at := now();
  return new;
end
$$;


--
-- Name: _unknown_key_errors(jsonb, text[], text); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring._unknown_key_errors(object jsonb, allowed text[], path text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  select coalesce(jsonb_agg(jsonb_build_object(
      'path', path || '.' || key, 'message', 'is not a known key')
      order by key), '[]')
  from jsonb_object_keys(object) as key
  where key <> all (allowed)
$$;


--
-- Name: beat_workers(text[]); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring.beat_workers(worker_ids text[]) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  insert into scoring.worker_heartbeats (worker_id, beat_at)
  select w.id, now()
  from unnest(worker_ids) as w (id)
  on conflict (worker_id) do update set beat_at = excluded.beat_at
$$;


--
-- Name: FUNCTION beat_workers(worker_ids text[]); Type: COMMENT; Schema: scoring; Owner: -
--

COMMENT ON FUNCTION scoring.beat_workers(worker_ids text[]) IS 'Records that the given graphile-worker workers are alive.';


--
-- Name: compute(uuid, text[]); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring.compute(profile_id uuid, object_ids text[]) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET jit TO 'off'
    SET work_mem TO '32MB'
    AS $$
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


--
-- Name: FUNCTION compute(profile_id uuid, object_ids text[]); Type: COMMENT; Schema: scoring; Owner: -
--

COMMENT ON FUNCTION scoring.compute(profile_id uuid, object_ids text[]) IS 'Recomputes the latest scores of the given objects for one profile, set-based, and appends one history version per (object, dimension).';


--
-- Name: fan_out_profile(uuid, integer); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring.fan_out_profile(profile_id uuid, chunk_size integer) RETURNS integer
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION fan_out_profile(profile_id uuid, chunk_size integer); Type: COMMENT; Schema: scoring; Owner: -
--

COMMENT ON FUNCTION scoring.fan_out_profile(profile_id uuid, chunk_size integer) IS 'Queues recompute_scores over every assignment of a profile, chunk_size objects per job. Returns the number of jobs queued.';


--
-- Name: normalize_object_id(text, text); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring.normalize_object_id(object_type text, raw text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $_$
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
$_$;


--
-- Name: FUNCTION normalize_object_id(object_type text, raw text); Type: COMMENT; Schema: scoring; Owner: -
--

COMMENT ON FUNCTION scoring.normalize_object_id(object_type text, raw text) IS 'Normalised object id: a company''s bare domain or a contact''s https://www.linkedin.com/in/<slug>. Null when raw is not a valid id.';


--
-- Name: queue_recompute_chunks(uuid, text[], integer); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring.queue_recompute_chunks(profile_id uuid, object_ids text[], chunk_size integer) RETURNS integer
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION queue_recompute_chunks(profile_id uuid, object_ids text[], chunk_size integer); Type: COMMENT; Schema: scoring; Owner: -
--

COMMENT ON FUNCTION scoring.queue_recompute_chunks(profile_id uuid, object_ids text[], chunk_size integer) IS 'Queues recompute_scores for the given objects of a profile, chunk_size objects per job, without a job_key. Returns the number of jobs queued.';


--
-- Name: requeue_recompute_jobs(bigint[], interval); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring.requeue_recompute_jobs(job_ids bigint[], delay interval) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION requeue_recompute_jobs(job_ids bigint[], delay interval); Type: COMMENT; Schema: scoring; Owner: -
--

COMMENT ON FUNCTION scoring.requeue_recompute_jobs(job_ids bigint[], delay interval) IS 'Queues the object ids of the given recompute_scores jobs again, after delay.';


--
-- Name: rule_points(text, jsonb, jsonb); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring.rule_points(answer_type text, point_values jsonb, answer jsonb) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
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


--
-- Name: FUNCTION rule_points(answer_type text, point_values jsonb, answer jsonb); Type: COMMENT; Schema: scoring; Owner: -
--

COMMENT ON FUNCTION scoring.rule_points(answer_type text, point_values jsonb, answer jsonb) IS 'Points one rule earns for one answer (null answer: 0), as the contract defines them per answer type.';


--
-- Name: sweep_stale_workers(interval); Type: FUNCTION; Schema: scoring; Owner: -
--

CREATE FUNCTION scoring.sweep_stale_workers(stale_after interval) RETURNS text[]
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION sweep_stale_workers(stale_after interval); Type: COMMENT; Schema: scoring; Owner: -
--

COMMENT ON FUNCTION scoring.sweep_stale_workers(stale_after interval) IS 'Unlocks the jobs of workers whose heartbeat is older than stale_after. Returns the ids of the workers swept.';


--
-- Name: _answer_value_errors(text, jsonb, jsonb, text); Type: FUNCTION; Schema: signals; Owner: -
--

CREATE FUNCTION signals._answer_value_errors(answer_type text, options jsonb, value jsonb, path text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _check_answers(jsonb); Type: FUNCTION; Schema: signals; Owner: -
--

CREATE FUNCTION signals._check_answers(answers jsonb) RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _options_errors(text, jsonb); Type: FUNCTION; Schema: signals; Owner: -
--

CREATE FUNCTION signals._options_errors(answer_type text, options jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _resolve_answers(jsonb); Type: FUNCTION; Schema: signals; Owner: -
--

CREATE FUNCTION signals._resolve_answers(answers jsonb) RETURNS TABLE(item_index integer, object_type text, object_id text, template_id uuid, template_version_id uuid, value jsonb, answered_at timestamp with time zone, names_version boolean, template_object_type text, answer_type text, options jsonb)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
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


--
-- Name: _tg_answers__enqueue(); Type: FUNCTION; Schema: signals; Owner: -
--

CREATE FUNCTION signals._tg_answers__enqueue() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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


--
-- Name: _tg_answers__validate(); Type: FUNCTION; Schema: signals; Owner: -
--

CREATE FUNCTION signals._tg_answers__validate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: _tg_template_versions__latest(); Type: FUNCTION; Schema: signals; Owner: -
--

CREATE FUNCTION signals._tg_template_versions__latest() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  update signals.templates
  set latest_version = new.version
  where org_id = new.org_id
    and id = new.template_id
    and latest_version < new.version;
  return null;
end
$$;


--
-- Name: _tg_templates__first_version(); Type: FUNCTION; Schema: signals; Owner: -
--

CREATE FUNCTION signals._tg_templates__first_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: _tg_templates__refuse_in_use(); Type: FUNCTION; Schema: signals; Owner: -
--

CREATE FUNCTION signals._tg_templates__refuse_in_use() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: _tg_templates__revalidate_rules(); Type: FUNCTION; Schema: signals; Owner: -
--

CREATE FUNCTION signals._tg_templates__revalidate_rules() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: _tg_templates__validate(); Type: FUNCTION; Schema: signals; Owner: -
--

CREATE FUNCTION signals._tg_templates__validate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: profiles; Type: TABLE; Schema: scoring; Owner: -
--

CREATE TABLE scoring.profiles (
    org_id text DEFAULT scoring.current_org_id() NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    object_type text NOT NULL,
    name text NOT NULL,
    description text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT profiles_description_check CHECK ((length(description) <= 2000)),
    CONSTRAINT profiles_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT profiles_object_type_check CHECK ((object_type = ANY (ARRAY['company'::text, 'contact'::text])))
);


--
-- Name: latest_scores; Type: VIEW; Schema: analytics; Owner: -
--

CREATE VIEW analytics.latest_scores WITH (security_barrier='true') AS
 SELECT s.org_id,
    s.profile_id,
    p.name AS profile_name,
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
   FROM (scoring.scores s
     JOIN scoring.profiles p ON (((p.org_id = s.org_id) AND (p.id = s.profile_id))))
  WHERE (s.org_id = ( SELECT scoring.current_org_id() AS current_org_id));


--
-- Name: VIEW latest_scores; Type: COMMENT; Schema: analytics; Owner: -
--

COMMENT ON VIEW analytics.latest_scores IS 'Latest score per (profile, object, dimension) of the session''s org (set scoring.org_id). breakdown has one item per rule.';


--
-- Name: score_history; Type: TABLE; Schema: scoring; Owner: -
--

CREATE TABLE scoring.score_history (
    org_id text NOT NULL,
    profile_id uuid NOT NULL,
    object_type text NOT NULL,
    object_id text NOT NULL,
    dimension text NOT NULL,
    version integer NOT NULL,
    score numeric(5,2) NOT NULL,
    previous_score numeric(5,2),
    delta numeric(6,2) GENERATED ALWAYS AS ((score - previous_score)) STORED,
    earned numeric NOT NULL,
    max_possible numeric NOT NULL,
    rules_with_answers integer NOT NULL,
    total_rules integer NOT NULL,
    breakdown jsonb NOT NULL,
    computed_at timestamp with time zone NOT NULL,
    CONSTRAINT score_history_version_check CHECK ((version >= 1))
);


--
-- Name: score_history; Type: VIEW; Schema: analytics; Owner: -
--

CREATE VIEW analytics.score_history WITH (security_barrier='true') AS
 SELECT h.org_id,
    h.profile_id,
    p.name AS profile_name,
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
   FROM (scoring.score_history h
     JOIN scoring.profiles p ON (((p.org_id = h.org_id) AND (p.id = h.profile_id))))
  WHERE (h.org_id = ( SELECT scoring.current_org_id() AS current_org_id));


--
-- Name: VIEW score_history; Type: COMMENT; Schema: analytics; Owner: -
--

COMMENT ON VIEW analytics.score_history IS 'Every computed version per (profile, object, dimension) of the session''s org, kept after unassignment; deleted with the profile.';


--
-- Name: profiles; Type: VIEW; Schema: api; Owner: -
--

CREATE VIEW api.profiles WITH (security_invoker='true') AS
 SELECT profiles.id,
    profiles.org_id AS "orgId",
    profiles.object_type AS "objectType",
    profiles.name,
    profiles.description,
    profiles.created_at AS "createdAt",
    profiles.updated_at AS "updatedAt"
   FROM scoring.profiles;


--
-- Name: VIEW profiles; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON VIEW api.profiles IS 'Scoring profiles: named, org-scoped configuration grouping rules for one object type.';


--
-- Name: COLUMN profiles."objectType"; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.profiles."objectType" IS 'company or contact. Immutable after creation (IMMUTABLE_FIELD).';


--
-- Name: COLUMN profiles.description; Type: COMMENT; Schema: api; Owner: -
--

COMMENT ON COLUMN api.profiles.description IS 'Free text, nullable.';


--
-- Name: analyst_logins; Type: TABLE; Schema: iam; Owner: -
--

CREATE TABLE iam.analyst_logins (
    role_name text NOT NULL,
    org_id text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE analyst_logins; Type: COMMENT; Schema: iam; Owner: -
--

COMMENT ON TABLE iam.analyst_logins IS 'Database logins of analysts, each pinned to the org it may read.';


--
-- Name: api_keys; Type: TABLE; Schema: iam; Owner: -
--

CREATE TABLE iam.api_keys (
    org_id text NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text,
    key_hash bytea NOT NULL,
    prefix text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT api_keys_key_hash_check CHECK ((length(key_hash) = 32)),
    CONSTRAINT api_keys_name_check CHECK ((length(name) <= 200))
);


--
-- Name: TABLE api_keys; Type: COMMENT; Schema: iam; Owner: -
--

COMMENT ON TABLE iam.api_keys IS 'sk_live_ keys. Only the SHA-256 of a key and a display prefix are kept.';


--
-- Name: orgs; Type: TABLE; Schema: iam; Owner: -
--

CREATE TABLE iam.orgs (
    id text DEFAULT "left"(replace((gen_random_uuid())::text, '-'::text, ''::text), 24) NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT orgs_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200)))
);


--
-- Name: TABLE orgs; Type: COMMENT; Schema: iam; Owner: -
--

COMMENT ON TABLE iam.orgs IS 'Tenants. Every tenant row carries org_id.';


--
-- Name: runtime_secrets; Type: TABLE; Schema: iam; Owner: -
--

CREATE TABLE iam.runtime_secrets (
    name text NOT NULL,
    value text NOT NULL
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);


--
-- Name: worker_heartbeats; Type: TABLE; Schema: scoring; Owner: -
--

CREATE TABLE scoring.worker_heartbeats (
    worker_id text NOT NULL,
    beat_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: analyst_logins analyst_logins_pkey; Type: CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.analyst_logins
    ADD CONSTRAINT analyst_logins_pkey PRIMARY KEY (role_name);


--
-- Name: api_keys api_keys_key_hash_key; Type: CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.api_keys
    ADD CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (org_id, id);


--
-- Name: orgs orgs_pkey; Type: CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.orgs
    ADD CONSTRAINT orgs_pkey PRIMARY KEY (id);


--
-- Name: runtime_secrets runtime_secrets_pkey; Type: CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.runtime_secrets
    ADD CONSTRAINT runtime_secrets_pkey PRIMARY KEY (name);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: assignments assignments_org_id_profile_id_object_id_key; Type: CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.assignments
    ADD CONSTRAINT assignments_org_id_profile_id_object_id_key UNIQUE (org_id, profile_id, object_id);


--
-- Name: assignments assignments_pkey; Type: CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.assignments
    ADD CONSTRAINT assignments_pkey PRIMARY KEY (org_id, id);


--
-- Name: profiles profiles_org_id_id_object_type_key; Type: CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.profiles
    ADD CONSTRAINT profiles_org_id_id_object_type_key UNIQUE (org_id, id, object_type);


--
-- Name: profiles profiles_pkey; Type: CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.profiles
    ADD CONSTRAINT profiles_pkey PRIMARY KEY (org_id, id);


--
-- Name: rules rules_org_id_profile_id_template_id_dimension_key; Type: CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.rules
    ADD CONSTRAINT rules_org_id_profile_id_template_id_dimension_key UNIQUE (org_id, profile_id, template_id, dimension);


--
-- Name: rules rules_pkey; Type: CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.rules
    ADD CONSTRAINT rules_pkey PRIMARY KEY (org_id, id);


--
-- Name: score_history score_history_pkey; Type: CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.score_history
    ADD CONSTRAINT score_history_pkey PRIMARY KEY (org_id, profile_id, object_id, dimension, version);


--
-- Name: scores scores_pkey; Type: CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.scores
    ADD CONSTRAINT scores_pkey PRIMARY KEY (org_id, profile_id, object_id, dimension);


--
-- Name: worker_heartbeats worker_heartbeats_pkey; Type: CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.worker_heartbeats
    ADD CONSTRAINT worker_heartbeats_pkey PRIMARY KEY (worker_id);


--
-- Name: answers answers_pkey; Type: CONSTRAINT; Schema: signals; Owner: -
--

ALTER TABLE ONLY signals.answers
    ADD CONSTRAINT answers_pkey PRIMARY KEY (org_id, object_type, object_id, template_version_id);


--
-- Name: template_versions template_versions_org_id_template_id_id_key; Type: CONSTRAINT; Schema: signals; Owner: -
--

ALTER TABLE ONLY signals.template_versions
    ADD CONSTRAINT template_versions_org_id_template_id_id_key UNIQUE (org_id, template_id, id);


--
-- Name: template_versions template_versions_org_id_template_id_version_key; Type: CONSTRAINT; Schema: signals; Owner: -
--

ALTER TABLE ONLY signals.template_versions
    ADD CONSTRAINT template_versions_org_id_template_id_version_key UNIQUE (org_id, template_id, version);


--
-- Name: template_versions template_versions_pkey; Type: CONSTRAINT; Schema: signals; Owner: -
--

ALTER TABLE ONLY signals.template_versions
    ADD CONSTRAINT template_versions_pkey PRIMARY KEY (org_id, id);


--
-- Name: templates templates_org_id_id_answer_type_object_type_key; Type: CONSTRAINT; Schema: signals; Owner: -
--

ALTER TABLE ONLY signals.templates
    ADD CONSTRAINT templates_org_id_id_answer_type_object_type_key UNIQUE (org_id, id, answer_type, object_type);


--
-- Name: templates templates_pkey; Type: CONSTRAINT; Schema: signals; Owner: -
--

ALTER TABLE ONLY signals.templates
    ADD CONSTRAINT templates_pkey PRIMARY KEY (org_id, id);


--
-- Name: assignments_object_idx; Type: INDEX; Schema: scoring; Owner: -
--

CREATE INDEX assignments_object_idx ON scoring.assignments USING btree (org_id, object_type, object_id);


--
-- Name: profiles_id_idx; Type: INDEX; Schema: scoring; Owner: -
--

CREATE INDEX profiles_id_idx ON scoring.profiles USING btree (id);


--
-- Name: rules_template_idx; Type: INDEX; Schema: scoring; Owner: -
--

CREATE INDEX rules_template_idx ON scoring.rules USING btree (org_id, template_id);


--
-- Name: score_history_computed_idx; Type: INDEX; Schema: scoring; Owner: -
--

CREATE INDEX score_history_computed_idx ON scoring.score_history USING btree (org_id, computed_at);


--
-- Name: scores_object_idx; Type: INDEX; Schema: scoring; Owner: -
--

CREATE INDEX scores_object_idx ON scoring.scores USING btree (org_id, object_type, object_id);


--
-- Name: answers_latest_idx; Type: INDEX; Schema: signals; Owner: -
--

CREATE INDEX answers_latest_idx ON signals.answers USING btree (org_id, object_type, object_id, template_id, answered_at DESC);


--
-- Name: api_keys _900_notify_deleted; Type: TRIGGER; Schema: iam; Owner: -
--

CREATE TRIGGER _900_notify_deleted AFTER DELETE ON iam.api_keys FOR EACH ROW EXECUTE FUNCTION iam._tg_api_keys__notify_revoked();


--
-- Name: api_keys _900_notify_revoked; Type: TRIGGER; Schema: iam; Owner: -
--

CREATE TRIGGER _900_notify_revoked AFTER UPDATE OF revoked_at ON iam.api_keys FOR EACH ROW WHEN (((old.revoked_at IS NULL) AND (new.revoked_at IS NOT NULL))) EXECUTE FUNCTION iam._tg_api_keys__notify_revoked();


--
-- Name: profiles _100_timestamps; Type: TRIGGER; Schema: scoring; Owner: -
--

CREATE TRIGGER _100_timestamps BEFORE UPDATE ON scoring.profiles FOR EACH ROW EXECUTE FUNCTION scoring._tg_set_updated_at();


--
-- Name: rules _100_timestamps; Type: TRIGGER; Schema: scoring; Owner: -
--

CREATE TRIGGER _100_timestamps BEFORE UPDATE ON scoring.rules FOR EACH ROW EXECUTE FUNCTION scoring._tg_set_updated_at();


--
-- Name: profiles _200_immutable; Type: TRIGGER; Schema: scoring; Owner: -
--

CREATE TRIGGER _200_immutable BEFORE UPDATE ON scoring.profiles FOR EACH ROW EXECUTE FUNCTION scoring._tg_profiles__immutable();


--
-- Name: assignments _200_validate; Type: TRIGGER; Schema: scoring; Owner: -
--

CREATE TRIGGER _200_validate BEFORE INSERT OR UPDATE ON scoring.assignments FOR EACH ROW EXECUTE FUNCTION scoring._tg_assignments__validate();


--
-- Name: rules _200_validate; Type: TRIGGER; Schema: scoring; Owner: -
--

CREATE TRIGGER _200_validate BEFORE INSERT OR UPDATE ON scoring.rules FOR EACH ROW EXECUTE FUNCTION scoring._tg_rules__validate();


--
-- Name: assignments _900_enqueue; Type: TRIGGER; Schema: scoring; Owner: -
--

CREATE TRIGGER _900_enqueue AFTER INSERT ON scoring.assignments REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION scoring._tg_assignments__enqueue();


--
-- Name: rules _900_enqueue_deleted; Type: TRIGGER; Schema: scoring; Owner: -
--

CREATE TRIGGER _900_enqueue_deleted AFTER DELETE ON scoring.rules REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION scoring._tg_rules__enqueue();


--
-- Name: rules _900_enqueue_inserted; Type: TRIGGER; Schema: scoring; Owner: -
--

CREATE TRIGGER _900_enqueue_inserted AFTER INSERT ON scoring.rules REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION scoring._tg_rules__enqueue();


--
-- Name: rules _900_enqueue_updated; Type: TRIGGER; Schema: scoring; Owner: -
--

CREATE TRIGGER _900_enqueue_updated AFTER UPDATE ON scoring.rules REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION scoring._tg_rules__enqueue();


--
-- Name: templates _100_timestamps; Type: TRIGGER; Schema: signals; Owner: -
--

CREATE TRIGGER _100_timestamps BEFORE UPDATE ON signals.templates FOR EACH ROW EXECUTE FUNCTION scoring._tg_set_updated_at();


--
-- Name: templates _200_refuse_in_use; Type: TRIGGER; Schema: signals; Owner: -
--

CREATE TRIGGER _200_refuse_in_use BEFORE DELETE ON signals.templates FOR EACH ROW EXECUTE FUNCTION signals._tg_templates__refuse_in_use();


--
-- Name: answers _200_validate; Type: TRIGGER; Schema: signals; Owner: -
--

CREATE TRIGGER _200_validate BEFORE INSERT OR UPDATE ON signals.answers FOR EACH ROW EXECUTE FUNCTION signals._tg_answers__validate();


--
-- Name: templates _200_validate; Type: TRIGGER; Schema: signals; Owner: -
--

CREATE TRIGGER _200_validate BEFORE INSERT OR UPDATE ON signals.templates FOR EACH ROW EXECUTE FUNCTION signals._tg_templates__validate();


--
-- Name: templates _300_revalidate_rules; Type: TRIGGER; Schema: signals; Owner: -
--

CREATE TRIGGER _300_revalidate_rules BEFORE UPDATE OF options ON signals.templates FOR EACH ROW WHEN ((new.options IS DISTINCT FROM old.options)) EXECUTE FUNCTION signals._tg_templates__revalidate_rules();


--
-- Name: template_versions _500_latest_version; Type: TRIGGER; Schema: signals; Owner: -
--

CREATE TRIGGER _500_latest_version AFTER INSERT ON signals.template_versions FOR EACH ROW EXECUTE FUNCTION signals._tg_template_versions__latest();


--
-- Name: answers _900_enqueue_deleted; Type: TRIGGER; Schema: signals; Owner: -
--

CREATE TRIGGER _900_enqueue_deleted AFTER DELETE ON signals.answers REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION signals._tg_answers__enqueue();


--
-- Name: answers _900_enqueue_inserted; Type: TRIGGER; Schema: signals; Owner: -
--

CREATE TRIGGER _900_enqueue_inserted AFTER INSERT ON signals.answers REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION signals._tg_answers__enqueue();


--
-- Name: answers _900_enqueue_updated; Type: TRIGGER; Schema: signals; Owner: -
--

CREATE TRIGGER _900_enqueue_updated AFTER UPDATE ON signals.answers REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION signals._tg_answers__enqueue();


--
-- Name: templates _900_first_version; Type: TRIGGER; Schema: signals; Owner: -
--

CREATE CONSTRAINT TRIGGER _900_first_version AFTER INSERT ON signals.templates DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION signals._tg_templates__first_version();


--
-- Name: analyst_logins analyst_logins_org_id_fkey; Type: FK CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.analyst_logins
    ADD CONSTRAINT analyst_logins_org_id_fkey FOREIGN KEY (org_id) REFERENCES iam.orgs(id) ON DELETE CASCADE;


--
-- Name: api_keys api_keys_org_id_fkey; Type: FK CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.api_keys
    ADD CONSTRAINT api_keys_org_id_fkey FOREIGN KEY (org_id) REFERENCES iam.orgs(id) ON DELETE CASCADE;


--
-- Name: assignments assignments_org_id_profile_id_object_type_fkey; Type: FK CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.assignments
    ADD CONSTRAINT assignments_org_id_profile_id_object_type_fkey FOREIGN KEY (org_id, profile_id, object_type) REFERENCES scoring.profiles(org_id, id, object_type) ON DELETE CASCADE;


--
-- Name: profiles profiles_org_id_fkey; Type: FK CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.profiles
    ADD CONSTRAINT profiles_org_id_fkey FOREIGN KEY (org_id) REFERENCES iam.orgs(id) ON DELETE CASCADE;


--
-- Name: rules rules_org_id_profile_id_object_type_fkey; Type: FK CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.rules
    ADD CONSTRAINT rules_org_id_profile_id_object_type_fkey FOREIGN KEY (org_id, profile_id, object_type) REFERENCES scoring.profiles(org_id, id, object_type) ON DELETE CASCADE;


--
-- Name: rules rules_org_id_template_id_answer_type_object_type_fkey; Type: FK CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.rules
    ADD CONSTRAINT rules_org_id_template_id_answer_type_object_type_fkey FOREIGN KEY (org_id, template_id, answer_type, object_type) REFERENCES signals.templates(org_id, id, answer_type, object_type);


--
-- Name: score_history score_history_org_id_profile_id_fkey; Type: FK CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.score_history
    ADD CONSTRAINT score_history_org_id_profile_id_fkey FOREIGN KEY (org_id, profile_id) REFERENCES scoring.profiles(org_id, id) ON DELETE CASCADE;


--
-- Name: scores scores_org_id_profile_id_object_id_fkey; Type: FK CONSTRAINT; Schema: scoring; Owner: -
--

ALTER TABLE ONLY scoring.scores
    ADD CONSTRAINT scores_org_id_profile_id_object_id_fkey FOREIGN KEY (org_id, profile_id, object_id) REFERENCES scoring.assignments(org_id, profile_id, object_id) ON DELETE CASCADE;


--
-- Name: answers answers_org_id_template_id_template_version_id_fkey; Type: FK CONSTRAINT; Schema: signals; Owner: -
--

ALTER TABLE ONLY signals.answers
    ADD CONSTRAINT answers_org_id_template_id_template_version_id_fkey FOREIGN KEY (org_id, template_id, template_version_id) REFERENCES signals.template_versions(org_id, template_id, id) ON DELETE CASCADE;


--
-- Name: template_versions template_versions_org_id_template_id_fkey; Type: FK CONSTRAINT; Schema: signals; Owner: -
--

ALTER TABLE ONLY signals.template_versions
    ADD CONSTRAINT template_versions_org_id_template_id_fkey FOREIGN KEY (org_id, template_id) REFERENCES signals.templates(org_id, id) ON DELETE CASCADE;


--
-- Name: templates templates_org_id_fkey; Type: FK CONSTRAINT; Schema: signals; Owner: -
--

ALTER TABLE ONLY signals.templates
    ADD CONSTRAINT templates_org_id_fkey FOREIGN KEY (org_id) REFERENCES iam.orgs(id) ON DELETE CASCADE;


--
-- Name: analyst_logins; Type: ROW SECURITY; Schema: iam; Owner: -
--

ALTER TABLE iam.analyst_logins ENABLE ROW LEVEL SECURITY;

--
-- Name: api_keys; Type: ROW SECURITY; Schema: iam; Owner: -
--

ALTER TABLE iam.api_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: orgs; Type: ROW SECURITY; Schema: iam; Owner: -
--

ALTER TABLE iam.orgs ENABLE ROW LEVEL SECURITY;

--
-- Name: runtime_secrets; Type: ROW SECURITY; Schema: iam; Owner: -
--

ALTER TABLE iam.runtime_secrets ENABLE ROW LEVEL SECURITY;

--
-- Name: assignments; Type: ROW SECURITY; Schema: scoring; Owner: -
--

ALTER TABLE scoring.assignments ENABLE ROW LEVEL SECURITY;

--
-- Name: profiles; Type: ROW SECURITY; Schema: scoring; Owner: -
--

ALTER TABLE scoring.profiles ENABLE ROW LEVEL SECURITY;

--
-- Name: rules; Type: ROW SECURITY; Schema: scoring; Owner: -
--

ALTER TABLE scoring.rules ENABLE ROW LEVEL SECURITY;

--
-- Name: score_history; Type: ROW SECURITY; Schema: scoring; Owner: -
--

ALTER TABLE scoring.score_history ENABLE ROW LEVEL SECURITY;

--
-- Name: scores; Type: ROW SECURITY; Schema: scoring; Owner: -
--

ALTER TABLE scoring.scores ENABLE ROW LEVEL SECURITY;

--
-- Name: assignments tenant; Type: POLICY; Schema: scoring; Owner: -
--

CREATE POLICY tenant ON scoring.assignments USING ((org_id = ( SELECT scoring.current_org_id() AS current_org_id))) WITH CHECK ((org_id = ( SELECT scoring.current_org_id() AS current_org_id)));


--
-- Name: profiles tenant; Type: POLICY; Schema: scoring; Owner: -
--

CREATE POLICY tenant ON scoring.profiles USING ((org_id = ( SELECT scoring.current_org_id() AS current_org_id))) WITH CHECK ((org_id = ( SELECT scoring.current_org_id() AS current_org_id)));


--
-- Name: rules tenant; Type: POLICY; Schema: scoring; Owner: -
--

CREATE POLICY tenant ON scoring.rules USING ((org_id = ( SELECT scoring.current_org_id() AS current_org_id))) WITH CHECK ((org_id = ( SELECT scoring.current_org_id() AS current_org_id)));


--
-- Name: score_history tenant; Type: POLICY; Schema: scoring; Owner: -
--

CREATE POLICY tenant ON scoring.score_history USING ((org_id = ( SELECT scoring.current_org_id() AS current_org_id)));


--
-- Name: scores tenant; Type: POLICY; Schema: scoring; Owner: -
--

CREATE POLICY tenant ON scoring.scores USING ((org_id = ( SELECT scoring.current_org_id() AS current_org_id)));


--
-- Name: worker_heartbeats; Type: ROW SECURITY; Schema: scoring; Owner: -
--

ALTER TABLE scoring.worker_heartbeats ENABLE ROW LEVEL SECURITY;

--
-- Name: answers; Type: ROW SECURITY; Schema: signals; Owner: -
--

ALTER TABLE signals.answers ENABLE ROW LEVEL SECURITY;

--
-- Name: template_versions; Type: ROW SECURITY; Schema: signals; Owner: -
--

ALTER TABLE signals.template_versions ENABLE ROW LEVEL SECURITY;

--
-- Name: templates; Type: ROW SECURITY; Schema: signals; Owner: -
--

ALTER TABLE signals.templates ENABLE ROW LEVEL SECURITY;

--
-- Name: answers tenant; Type: POLICY; Schema: signals; Owner: -
--

CREATE POLICY tenant ON signals.answers USING ((org_id = ( SELECT scoring.current_org_id() AS current_org_id))) WITH CHECK ((org_id = ( SELECT scoring.current_org_id() AS current_org_id)));


--
-- Name: template_versions tenant; Type: POLICY; Schema: signals; Owner: -
--

CREATE POLICY tenant ON signals.template_versions USING ((org_id = ( SELECT scoring.current_org_id() AS current_org_id))) WITH CHECK ((org_id = ( SELECT scoring.current_org_id() AS current_org_id)));


--
-- Name: templates tenant; Type: POLICY; Schema: signals; Owner: -
--

CREATE POLICY tenant ON signals.templates USING ((org_id = ( SELECT scoring.current_org_id() AS current_org_id))) WITH CHECK ((org_id = ( SELECT scoring.current_org_id() AS current_org_id)));


--
-- PostgreSQL database dump complete
--

\unrestrict dbmate


--
-- Dbmate schema migrations
--

INSERT INTO public.schema_migrations (version) VALUES
    ('20261203100000'),
    ('20261203110000'),
    ('20261203120000'),
    ('20261203130000');
