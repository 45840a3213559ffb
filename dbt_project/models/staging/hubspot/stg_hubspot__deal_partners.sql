-- Staging for the `deal_partners` feed: cast only (../shared/spec/feeds.md).
select
    cast(deal_id as varchar) as deal_id,
    cast(partner_id as varchar) as partner_id,
    cast(role as varchar) as role
from {{ source('hubspot', 'deal_partners') }}
