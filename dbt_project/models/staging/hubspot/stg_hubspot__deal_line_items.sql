-- Staging for the `deal_line_items` feed: cast only (../shared/spec/feeds.md).
select
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(product_line as {{ dbt.type_string() }}) as product_line,
    cast(edition as {{ dbt.type_string() }}) as edition,
    cast(mrr_usd as decimal(18,2)) as mrr_usd
from {{ source('hubspot', 'deal_line_items') }}
