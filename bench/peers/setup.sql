-- What the PostGraphile peers need beside the project's schema; applied by the owner
-- (bench.peers.prepare), never by a migration. Re-running it replaces everything it made.
--
-- Q1, the commission's roll-up, as a peer would build it: a SQL function that aggregates the
-- recruits LIVE (a peer has no tally tables). Its figures copy the definitions of migration
-- 0004 (ADMISSION_FIGURES, PIPELINE_FIGURES, the open findings of a member) word for word;
-- the runner's equality check against our own roll-up before timing is what guards the copy.
-- It runs with the caller's rights (SECURITY INVOKER, the default), so row-level security
-- scopes the recruits and units exactly as it scopes our service role.

DROP SCHEMA IF EXISTS bench_peer CASCADE;
CREATE SCHEMA bench_peer;
-- Only a function and its row type live here; what it reads stays behind each table's RLS.
GRANT USAGE ON SCHEMA bench_peer TO PUBLIC;

-- integer, not bigint: both PostGraphiles map bigint to a string scalar (BigInt).
CREATE TYPE bench_peer.school_line AS (
    school_id integer,
    school_name text,
    plan integer,
    admitted integer,
    admitted_exempt integer,
    women integer,
    ethnic_minority integer,
    youth_35 integer,
    college_educated integer,
    students integer,
    staff integer,
    high_knowledge integer,
    professional_technical integer,
    applicants integer,
    activists integer,
    development_targets integer,
    probationary integer,
    converted integer,
    open_findings integer
);

-- One line per school of the period's commission, in unit order: what our commission
-- roll-up lists as its children (a school shows while active, or while it holds a quota or
-- any figure). The plan is the quota the school received.
CREATE FUNCTION bench_peer.province_rollup(period_id integer)
RETURNS SETOF bench_peer.school_line
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH p AS (
        SELECT id, commission_id, commission_path, starts_on, ends_on
          FROM public.plan_periods WHERE id = province_rollup.period_id
    ), r AS (
        -- One pass over the recruits: each one's admission in the period and its stage at the
        -- period end (0004's recruit_stage_on), named once for the counts below.
        SELECT r.school_id, r.exempt, r.gender, r.ethnicity, r.birth_date, r.approved_on,
               r.education, r.category, r.high_knowledge, r.professional_title,
               r.approved_on BETWEEN p.starts_on AND p.ends_on AS admitted,
               r.converted_on BETWEEN p.starts_on AND p.ends_on AS converted,
               CASE WHEN r.cancelled_on <= p.ends_on THEN 'cancelled'
                    WHEN r.converted_on <= p.ends_on THEN 'full_member'
                    WHEN r.approved_on <= p.ends_on THEN 'probationary'
                    WHEN r.target_on <= p.ends_on THEN 'development_target'
                    WHEN r.activist_on <= p.ends_on THEN 'activist'
                    WHEN r.applied_on <= p.ends_on THEN 'applicant' END AS stage_at_end,
               CASE WHEN r.applied_on <= p.ends_on
                     AND coalesce(least(r.converted_on, r.cancelled_on), 'infinity') >= p.starts_on
                    THEN r.open_findings ELSE 0 END AS member_findings
          FROM public.recruits r, p
         WHERE r.unit_path <@ p.commission_path
    ), f AS (
        SELECT school_id,
               count(*) FILTER (WHERE admitted AND NOT exempt) AS admitted,
               count(*) FILTER (WHERE admitted AND exempt) AS admitted_exempt,
               count(*) FILTER (WHERE admitted AND gender = 'female') AS women,
               count(*) FILTER (WHERE admitted AND ethnicity <> '汉族') AS ethnic_minority,
               count(*) FILTER (WHERE admitted
                                  AND approved_on < (birth_date + interval '36 years')::date)
                   AS youth_35,
               count(*) FILTER (WHERE admitted AND education <> 'below_college')
                   AS college_educated,
               count(*) FILTER (WHERE admitted AND category IN ('undergraduate', 'postgraduate'))
                   AS students,
               count(*) FILTER (WHERE admitted AND category IN ('teacher', 'other_staff'))
                   AS staff,
               count(*) FILTER (WHERE admitted AND high_knowledge) AS high_knowledge,
               count(*) FILTER (WHERE admitted AND professional_title IS NOT NULL)
                   AS professional_technical,
               count(*) FILTER (WHERE stage_at_end = 'applicant') AS applicants,
               count(*) FILTER (WHERE stage_at_end = 'activist') AS activists,
               count(*) FILTER (WHERE stage_at_end = 'development_target') AS development_targets,
               count(*) FILTER (WHERE stage_at_end = 'probationary') AS probationary,
               count(*) FILTER (WHERE converted) AS converted,
               sum(member_findings) AS open_findings
          FROM r GROUP BY school_id
    )
    SELECT s.id::int, s.name, coalesce(q.received_total, 0),
           coalesce(f.admitted, 0)::int, coalesce(f.admitted_exempt, 0)::int,
           coalesce(f.women, 0)::int, coalesce(f.ethnic_minority, 0)::int,
           coalesce(f.youth_35, 0)::int, coalesce(f.college_educated, 0)::int,
           coalesce(f.students, 0)::int, coalesce(f.staff, 0)::int,
           coalesce(f.high_knowledge, 0)::int, coalesce(f.professional_technical, 0)::int,
           coalesce(f.applicants, 0)::int, coalesce(f.activists, 0)::int,
           coalesce(f.development_targets, 0)::int, coalesce(f.probationary, 0)::int,
           coalesce(f.converted, 0)::int, coalesce(f.open_findings, 0)::int
      FROM p
      JOIN public.units s ON s.parent_id = p.commission_id
      LEFT JOIN public.unit_quotas q ON q.period_id = p.id AND q.unit_id = s.id
      LEFT JOIN f ON f.school_id = s.id
     WHERE s.active OR q.unit_id IS NOT NULL
        OR f.admitted + f.admitted_exempt + f.applicants + f.activists + f.development_targets
           + f.probationary + f.converted + f.open_findings > 0
     ORDER BY s.id
$$;

-- The smart tag keeps PostGraphile 5 from prefixing the schema: provinceRollup in both peers.
COMMENT ON FUNCTION bench_peer.province_rollup(integer) IS
    E'@name province_rollup\nThe commission''s roll-up for a plan period, one line per school, aggregated live from the recruits.';
