-- rules.md A4, A5, A6/D9, A10: every requirement of every tier for every technology partner and
-- reported evaluation date, with value, threshold and status.
-- Issue 12 item 5: value/threshold are those of the branch that decided the status (decided_by):
--  * threshold   — the requirement's own value against its own threshold (also every failing row);
--  * install_90d — A4: influenced_mrr passed on 90-day install MRR alone (the OR's other branch);
--  * exception   — A5: Premier attached_mrr / influenced_mrr passed on the influenced-deals exception alone.
-- Both branches stay in their own columns (standard_value/standard_threshold, install_90d_*,
-- influenced_deals_value/exception_deals_threshold); passed_by names the branch of a passing result.
with

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
)

select
    cast(results.partner_id as varchar) as partner_id,
    cast(results.evaluation_date as date) as evaluation_date,
    cast(results.tier as varchar) as tier,
    cast(results.requirement as varchar) as requirement,
    cast(results.level as varchar) as level,
    cast(case results.decided_by
        when 'install_90d' then results.install_90d_value
        when 'exception' then results.influenced_deals_value
        else results.value
    end as double) as value,
    cast(case results.decided_by
        when 'install_90d' then results.install_90d_threshold
        when 'exception' then results.exception_deals_threshold
        else results.threshold
    end as double) as threshold,
    cast(results.status as varchar) as status,
    cast(results.would_pass as boolean) as would_pass,
    cast(results.passed_by_exception as boolean) as passed_by_exception,
    cast(results.install_90d_value as double) as install_90d_value,
    cast(results.install_90d_threshold as double) as install_90d_threshold,
    cast(results.exception_deals_threshold as double) as exception_deals_threshold,
    cast(results.enforced_from as date) as enforced_from,
    cast(results.is_poc_form_requirement as boolean) as is_poc_form_requirement,
    cast(results.is_blocking as boolean) as is_blocking,
    cast(results.decided_by as varchar) as decided_by,
    cast(case when results.would_pass then results.decided_by end as varchar) as passed_by,
    cast(results.value as double) as standard_value,
    cast(results.threshold as double) as standard_threshold,
    cast(results.influenced_deals_value as double) as influenced_deals_value
from results
inner join {{ ref('int_technology__evaluation_dates') }} as dates
    on dates.evaluation_date = results.evaluation_date
where dates.is_reported
