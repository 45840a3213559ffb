-- Staging for the `technology_tier_baseline` feed: cast only (../shared/spec/feeds.md).
select
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(tier as {{ dbt.type_string() }}) as tier,
    cast(effective_on as date) as effective_on
from {{ source('hubspot', 'technology_tier_baseline') }}
