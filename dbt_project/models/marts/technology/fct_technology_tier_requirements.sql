-- rules.md A4, A5, A6/D9, A10: every requirement of every tier for every technology partner and
-- reported evaluation date, with value, threshold and status.
-- Issue 12 item 5: value/threshold are those of the branch that decided the status (decided_by):
--  * threshold   — the requirement's own value against its own threshold (also every failing row);
--  * install_90d — A4: influenced_mrr passed on 90-day install MRR alone (the OR's other branch);
--  * exception   — A5: Premier attached_mrr / influenced_mrr passed on the influenced-deals exception alone.
-- Both branches stay in their own columns (standard_value/standard_threshold, install_90d_*,
-- influenced_deals_value/exception_deals_threshold); passed_by names the branch of a passing result.
-- A9, issue 12 item 4: for a published date, value, threshold and status are the published row's
-- (source = 'published', published_version); the recomputed ones stand beside them
-- (recomputed_value/_threshold/_status, differs_from_published). The other columns explain the
-- recomputed row.
with

published as (
    select partner_id, evaluation_date, tier, requirement, version, value, threshold, status
    from {{ ref('stg_publication__published_technology_requirements') }}
),

results as (
    select
        results.*,
        case
            when results.requirement = 'influenced_mrr'
                and coalesce(results.influenced_deals_value >= results.threshold, false) then 'threshold'
            when results.requirement <> 'influenced_mrr' and results.meets_standard then 'threshold'
            when results.meets_standard then 'install_90d'
            when results.meets_exception then 'exception'
            else 'threshold'
        end as decided_by
    from {{ ref('int_technology__requirement_results') }} as results
),

recomputed as (
    select
        results.*,
        case results.decided_by
            when 'install_90d' then results.install_90d_value
            when 'exception' then results.influenced_deals_value
            else results.value
        end as decided_value,
        case results.decided_by
            when 'install_90d' then results.install_90d_threshold
            when 'exception' then results.exception_deals_threshold
            else results.threshold
        end as decided_threshold
    from results
)

select
    cast(recomputed.partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(recomputed.evaluation_date as date) as evaluation_date,
    cast(recomputed.tier as {{ dbt.type_string() }}) as tier,
    cast(recomputed.requirement as {{ dbt.type_string() }}) as requirement,
    cast(recomputed.level as {{ dbt.type_string() }}) as level,
    cast(case when published.partner_id is not null then published.value else recomputed.decided_value end as double)
        as value,
    cast(
        case when published.partner_id is not null then published.threshold else recomputed.decided_threshold end
        as double
    ) as threshold,
    cast(case when published.partner_id is not null then published.status else recomputed.status end as {{ dbt.type_string() }})
        as status,
    cast(recomputed.would_pass as boolean) as would_pass,
    cast(recomputed.passed_by_exception as boolean) as passed_by_exception,
    cast(recomputed.install_90d_value as decimal(18, 2)) as install_90d_value,
    cast(recomputed.install_90d_threshold as decimal(18, 2)) as install_90d_threshold,
    cast(recomputed.exception_deals_threshold as decimal(18, 2)) as exception_deals_threshold,
    cast(recomputed.enforced_from as date) as enforced_from,
    cast(recomputed.is_poc_form_requirement as boolean) as is_poc_form_requirement,
    cast(recomputed.is_blocking as boolean) as is_blocking,
    cast(recomputed.decided_by as {{ dbt.type_string() }}) as decided_by,
    cast(case when recomputed.would_pass then recomputed.decided_by end as {{ dbt.type_string() }}) as passed_by,
    cast(recomputed.value as double) as standard_value,
    cast(recomputed.threshold as double) as standard_threshold,
    cast(recomputed.influenced_deals_value as decimal(18, 2)) as influenced_deals_value,
    cast(case when published.partner_id is not null then 'published' else 'computed' end as {{ dbt.type_string() }}) as source,
    cast(published.version as integer) as published_version,
    cast(recomputed.decided_value as double) as recomputed_value,
    cast(recomputed.decided_threshold as double) as recomputed_threshold,
    cast(recomputed.status as {{ dbt.type_string() }}) as recomputed_status,
    cast(
        published.partner_id is not null and (
            published.status <> recomputed.status
            or published.value is distinct from cast(recomputed.decided_value as double)
            or published.threshold is distinct from cast(recomputed.decided_threshold as double)
        )
        as boolean
    ) as differs_from_published
from recomputed
inner join {{ ref('int_technology__evaluation_dates') }} as dates
    on dates.evaluation_date = recomputed.evaluation_date
left join published
    on published.partner_id = recomputed.partner_id
    and published.evaluation_date = recomputed.evaluation_date
    and published.tier = recomputed.tier
    and published.requirement = recomputed.requirement
where dates.is_reported
