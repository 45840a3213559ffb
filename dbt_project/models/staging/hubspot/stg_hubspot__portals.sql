-- Staging for the `portals` feed: cast only (../shared/spec/feeds.md).
select
    cast(portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(first_purchase_on as date) as first_purchase_on,
    cast(country as {{ dbt.type_string() }}) as country,
    cast(segment as {{ dbt.type_string() }}) as segment
from {{ source('hubspot', 'portals') }}
