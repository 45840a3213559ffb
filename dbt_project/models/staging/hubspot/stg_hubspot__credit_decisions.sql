-- Staging for the `credit_decisions` feed: cast only (../shared/spec/feeds.md).
select
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(decided_on as date) as decided_on,
    cast(note as {{ dbt.type_string() }}) as note
from {{ source('hubspot', 'credit_decisions') }}
