-- Issue 16 item 2: one row per marketplace app with its partner's name and whether it is listed on
-- the run date (feeds.md apps: live from listed_on until delisted_on; the same test as A4's live
-- listing, on the run date instead of an evaluation date).
select
    cast(apps.app_id as {{ dbt.type_string() }}) as app_id,
    cast(apps.app_name as {{ dbt.type_string() }}) as app_name,
    cast(apps.partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(partners.partner_name as {{ dbt.type_string() }}) as partner_name,
    cast(apps.listed_on as date) as listed_on,
    cast(apps.delisted_on as date) as delisted_on,
    cast(
        apps.listed_on <= {{ run_date() }} and (apps.delisted_on is null or apps.delisted_on > {{ run_date() }})
        as boolean
    ) as is_live,
    cast({{ run_date() }} as date) as run_date
from {{ ref('stg_hubspot__apps') }} as apps
left join {{ ref('stg_hubspot__partners') }} as partners
    on partners.partner_id = apps.partner_id
