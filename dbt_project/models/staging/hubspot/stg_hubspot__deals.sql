-- Staging for the `deals` feed: cast only (../shared/spec/feeds.md).
select
    cast(deal_id as varchar) as deal_id,
    cast(portal_id as varchar) as portal_id,
    cast(collaboration_type as varchar) as collaboration_type,
    cast(registered_on as date) as registered_on,
    cast(closed_on as date) as closed_on,
    cast(stage as varchar) as stage
from {{ source('hubspot', 'deals') }}
