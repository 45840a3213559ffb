-- Staging for the `deals` feed: cast only (../shared/spec/feeds.md).
select
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(collaboration_type as {{ dbt.type_string() }}) as collaboration_type,
    cast(registered_on as date) as registered_on,
    cast(closed_on as date) as closed_on,
    cast(stage as {{ dbt.type_string() }}) as stage
from {{ source('hubspot', 'deals') }}
