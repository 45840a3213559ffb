-- rules.md A10: per technology partner and reported evaluation date, each unmet requirement of the
-- next tier above tier_after with value, threshold and shortfall (both shortfalls for the influenced
-- pair; for premier the exception path). No rows for a premier partner (no tier above).
select
    cast(gaps.partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(gaps.evaluation_date as date) as evaluation_date,
    cast(gaps.tier_after as {{ dbt.type_string() }}) as tier_after,
    cast(gaps.next_tier as {{ dbt.type_string() }}) as next_tier,
    cast(gaps.requirement as {{ dbt.type_string() }}) as requirement,
    cast(gaps.level as {{ dbt.type_string() }}) as level,
    cast(gaps.status as {{ dbt.type_string() }}) as status,
    cast(gaps.is_blocking as boolean) as is_blocking,
    cast(gaps.value as double) as value,
    cast(gaps.threshold as double) as threshold,
    cast(gaps.shortfall as double) as shortfall,
    cast(gaps.install_90d_value as decimal(18, 2)) as install_90d_value,
    cast(gaps.install_90d_threshold as decimal(18, 2)) as install_90d_threshold,
    cast(gaps.install_90d_shortfall as decimal(18, 2)) as install_90d_shortfall,
    cast(gaps.exception_deals_threshold as decimal(18, 2)) as exception_deals_threshold,
    cast(gaps.exception_shortfall as decimal(18, 2)) as exception_shortfall,
    cast(gaps.exception_path_would_pass as boolean) as exception_path_would_pass
from {{ ref('int_technology__next_tier_gaps') }} as gaps
inner join {{ ref('int_technology__evaluation_dates') }} as dates
    on dates.evaluation_date = gaps.evaluation_date
where dates.is_reported
