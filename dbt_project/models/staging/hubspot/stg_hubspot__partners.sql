-- Staging for the `partners` feed: cast only (../shared/spec/feeds.md).
select
    cast(partner_id as varchar) as partner_id,
    cast(partner_name as varchar) as partner_name,
    cast(program as varchar) as program,
    cast(solutions_type as varchar) as solutions_type,
    cast(solutions_tier as varchar) as solutions_tier,
    cast(crm_accredited as boolean) as crm_accredited,
    cast(region as varchar) as region,
    cast(joined_on as date) as joined_on
from {{ source('hubspot', 'partners') }}
