-- Staging for the `apps` feed: cast only (../shared/spec/feeds.md).
select
    cast(app_id as {{ dbt.type_string() }}) as app_id,
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(app_name as {{ dbt.type_string() }}) as app_name,
    cast(listed_on as date) as listed_on,
    cast(delisted_on as date) as delisted_on
from {{ source('hubspot', 'apps') }}
