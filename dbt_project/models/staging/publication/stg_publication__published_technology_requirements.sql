-- Published requirement rows (rules.md A9, issue 12 item 4): value, threshold and status as the current
-- version of each evaluation date published them.
select
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(evaluation_date as date) as evaluation_date,
    cast(version as integer) as version,
    cast(tier as {{ dbt.type_string() }}) as tier,
    cast(requirement as {{ dbt.type_string() }}) as requirement,
    cast(value as double) as value,
    cast(threshold as double) as threshold,
    cast(status as {{ dbt.type_string() }}) as status
from {{ source('publication', 'published_technology_requirements') }}
