-- Staging for the `portal_mrr_monthly` feed: cast only (../shared/spec/feeds.md).
select
    cast(portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(month as date) as month,
    cast(product_line as {{ dbt.type_string() }}) as product_line,
    cast(edition as {{ dbt.type_string() }}) as edition,
    cast(mrr_usd as decimal(18,2)) as mrr_usd
from {{ source('hubspot', 'portal_mrr_monthly') }}
