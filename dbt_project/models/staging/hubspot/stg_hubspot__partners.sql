-- Staging for the `partners` feed: cast only (../shared/spec/feeds.md).
select
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(partner_name as {{ dbt.type_string() }}) as partner_name,
    cast(program as {{ dbt.type_string() }}) as program,
    cast(solutions_type as {{ dbt.type_string() }}) as solutions_type,
    cast(solutions_tier as {{ dbt.type_string() }}) as solutions_tier,
    cast(crm_accredited as boolean) as crm_accredited,
    cast(region as {{ dbt.type_string() }}) as region,
    cast(joined_on as date) as joined_on
from {{ source('hubspot', 'partners') }}
