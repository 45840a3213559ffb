-- rules.md A1, A4 "live listing", D8: per technology partner and E, its live apps (listed_on <= E and
-- (delisted_on null or delisted_on > E)) and how many of them hold a certification valid on E
-- (status = certified, certified_on <= E < expires_on; expires_on defaults to certified_on +
-- certification_validity_years). Revoked rows never count.
with

partners as (
    select partner_id
    from {{ ref('stg_hubspot__partners') }}
    where program = 'technology'
),

dates as (
    select evaluation_date from {{ ref('int_technology__evaluation_dates') }}
),

live_apps as (
    select
        dates.evaluation_date,
        apps.partner_id,
        apps.app_id
    from dates
    inner join {{ ref('stg_hubspot__apps') }} as apps
        on apps.listed_on <= dates.evaluation_date
        and (apps.delisted_on is null or apps.delisted_on > dates.evaluation_date)
),

certified_live_apps as (
    select distinct
        live_apps.evaluation_date,
        live_apps.app_id
    from live_apps
    inner join {{ ref('stg_hubspot__app_certifications') }} as certifications
        on certifications.app_id = live_apps.app_id
    cross join {{ ref('technology_program_settings') }} as settings
    where certifications.status = 'certified'
        and certifications.certified_on <= live_apps.evaluation_date
        and live_apps.evaluation_date < coalesce(
            certifications.expires_on,
            {{ add_years('certifications.certified_on', 'settings.certification_validity_years') }}
        )
)

select
    partners.partner_id,
    dates.evaluation_date,
    cast(count(live_apps.app_id) as integer) as live_app_count,
    cast(count(certified_live_apps.app_id) as integer) as certified_live_app_count,
    count(live_apps.app_id) > 0 as has_live_listing
from partners
cross join dates
left join live_apps
    on live_apps.partner_id = partners.partner_id
    and live_apps.evaluation_date = dates.evaluation_date
left join certified_live_apps
    on certified_live_apps.app_id = live_apps.app_id
    and certified_live_apps.evaluation_date = live_apps.evaluation_date
group by partners.partner_id, dates.evaluation_date
