-- Staging for the `app_usage_monthly` feed: cast only (../shared/spec/feeds.md).
select
    cast(app_id as {{ dbt.type_string() }}) as app_id,
    cast(portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(month as date) as month,
    cast(api_calls as bigint) as api_calls
from {{ source('hubspot', 'app_usage_monthly') }}
