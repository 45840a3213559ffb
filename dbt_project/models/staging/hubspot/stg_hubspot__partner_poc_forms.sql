-- Staging for the `partner_poc_forms` feed: cast only (../shared/spec/feeds.md).
select
    cast(form_id as {{ dbt.type_string() }}) as form_id,
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(submitted_at as timestamp) as submitted_at,
    -- rules.md G1: timestamps are compared by their UTC calendar date
    cast(submitted_at as date) as submitted_on,
    cast(technical_contact_email as {{ dbt.type_string() }}) as technical_contact_email,
    cast(partnership_manager_email as {{ dbt.type_string() }}) as partnership_manager_email,
    cast(executive_sponsor_email as {{ dbt.type_string() }}) as executive_sponsor_email,
    cast(co_sell_contact_email as {{ dbt.type_string() }}) as co_sell_contact_email,
    cast(data_sharing as {{ dbt.type_string() }}) as data_sharing
from {{ source('hubspot', 'partner_poc_forms') }}
