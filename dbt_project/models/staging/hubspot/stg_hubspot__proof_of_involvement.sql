-- Staging for the `proof_of_involvement` feed: cast only (../shared/spec/feeds.md).
select
    cast(poi_id as {{ dbt.type_string() }}) as poi_id,
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(signed_at as timestamp) as signed_at,
    -- rules.md G1: timestamps are compared by their UTC calendar date
    cast(signed_at as date) as signed_on,
    cast(onboarding_product_lines as {{ dbt.type_string() }}) as onboarding_product_lines
from {{ source('hubspot', 'proof_of_involvement') }}
