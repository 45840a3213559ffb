-- Staging for the `deal_partners` feed: cast only (../shared/spec/feeds.md).
select
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(role as {{ dbt.type_string() }}) as role
from {{ source('hubspot', 'deal_partners') }}
