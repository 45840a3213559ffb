-- Published technology tiers (rules.md A9, product.md "Outputs"): facts the publication step wrote.
-- Only the current version of each evaluation date is the tier in force.
select
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(evaluation_date as date) as evaluation_date,
    cast(version as integer) as version,
    cast(tier_after as {{ dbt.type_string() }}) as tier_after,
    cast(action as {{ dbt.type_string() }}) as action,
    cast(is_current as boolean) as is_current,
    cast(published_at as timestamp) as published_at
from {{ source('publication', 'published_technology_tiers') }}
