-- rules.md A4, A5, A6/D9, A10: every requirement of every tier for every technology partner and
-- reported evaluation date, with value, threshold and status.
select
    cast(results.partner_id as varchar) as partner_id,
    cast(results.evaluation_date as date) as evaluation_date,
    cast(results.tier as varchar) as tier,
    cast(results.requirement as varchar) as requirement,
    cast(results.level as varchar) as level,
    cast(results.value as double) as value,
    cast(results.threshold as double) as threshold,
    cast(results.status as varchar) as status,
    cast(results.would_pass as boolean) as would_pass,
    cast(results.passed_by_exception as boolean) as passed_by_exception,
    cast(results.install_90d_value as double) as install_90d_value,
    cast(results.install_90d_threshold as double) as install_90d_threshold,
    cast(results.exception_deals_threshold as double) as exception_deals_threshold,
    cast(results.enforced_from as date) as enforced_from,
    cast(results.is_poc_form_requirement as boolean) as is_poc_form_requirement,
    cast(results.is_blocking as boolean) as is_blocking
from {{ ref('int_technology__requirement_results') }} as results
inner join {{ ref('int_technology__evaluation_dates') }} as dates
    on dates.evaluation_date = results.evaluation_date
where dates.is_reported
