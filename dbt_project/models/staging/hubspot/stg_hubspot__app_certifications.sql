-- Staging for the `app_certifications` feed: cast only (../shared/spec/feeds.md).
select
    cast(app_id as {{ dbt.type_string() }}) as app_id,
    cast(certified_on as date) as certified_on,
    cast(expires_on as date) as expires_on,
    cast(status as {{ dbt.type_string() }}) as status
from {{ source('hubspot', 'app_certifications') }}
