-- Staging for the `partner_portal_activity` feed: cast only (../shared/spec/feeds.md).
select
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(occurred_at as timestamp) as occurred_at,
    -- rules.md G1: timestamps are compared by their UTC calendar date
    cast(occurred_at as date) as occurred_on,
    cast(activity_type as {{ dbt.type_string() }}) as activity_type
from {{ source('hubspot', 'partner_portal_activity') }}
