-- rules.md A3 "90-day install MRR", D5, D1, G1: installs of a partner's apps dated within
-- install_window_days (90) after the portal's first_purchase_on: first_purchase_on <= installed_on
-- <= first_purchase_on + 90 days (day 90 qualifies, day 91 does not; an install before the first
-- purchase never qualifies; a portal that never paid never qualifies). D1: only installs dated in a
-- month the app is listed. One row per partner, portal and install date; the window keeps the earliest.
select
    listed.partner_id,
    installs.portal_id,
    installs.installed_on
from {{ ref('stg_hubspot__app_installs') }} as installs
inner join {{ ref('stg_hubspot__portals') }} as portals
    on portals.portal_id = installs.portal_id
inner join {{ ref('int_technology__app_listed_months') }} as listed
    on listed.app_id = installs.app_id
    and listed.month = {{ month_of('installs.installed_on') }}
cross join {{ ref('technology_program_settings') }} as settings
where installs.installed_on >= portals.first_purchase_on
    and installs.installed_on <= {{ add_days('portals.first_purchase_on', 'settings.install_window_days') }}
group by listed.partner_id, installs.portal_id, installs.installed_on
