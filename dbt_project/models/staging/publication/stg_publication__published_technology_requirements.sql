-- Published requirement rows (rules.md A9, issue 12 item 4): value, threshold and status as the current
-- version of each evaluation date published them.
select
    cast(partner_id as varchar) as partner_id,
    cast(evaluation_date as date) as evaluation_date,
    cast(version as integer) as version,
    cast(tier as varchar) as tier,
    cast(requirement as varchar) as requirement,
    cast(value as double) as value,
    cast(threshold as double) as threshold,
    cast(status as varchar) as status
from {{ source('publication', 'published_technology_requirements') }}
