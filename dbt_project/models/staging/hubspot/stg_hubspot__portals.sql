-- Staging for the `portals` feed: cast only (../shared/spec/feeds.md).
select
    cast(portal_id as varchar) as portal_id,
    cast(first_purchase_on as date) as first_purchase_on,
    cast(country as varchar) as country,
    cast(segment as varchar) as segment
from {{ source('hubspot', 'portals') }}
