-- Staging for the `app_installs` feed: cast only (../shared/spec/feeds.md).
select
    cast(install_id as {{ dbt.type_string() }}) as install_id,
    cast(app_id as {{ dbt.type_string() }}) as app_id,
    cast(portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(installed_at as timestamp) as installed_at,
    -- rules.md G1: timestamps are compared by their UTC calendar date
    cast(installed_at as date) as installed_on,
    cast(uninstalled_at as timestamp) as uninstalled_at,
    -- rules.md G1: timestamps are compared by their UTC calendar date
    cast(uninstalled_at as date) as uninstalled_on
from {{ source('hubspot', 'app_installs') }}
