{{ config(materialized='view') }}
-- rules.md D4, D1, A1: the distinct portals that actively use at least one of a partner's apps in a
-- month. Active use (D4): api_calls > 0 for the app/portal/month AND an install of that app in that
-- portal live on at least one day of the month (installed_on <= last day, uninstalled_on null or
-- >= first day). D1: only months in which the app is listed. A1: all of the partner's apps together,
-- a portal counted once per partner and month however many of its apps it uses.
-- A view: the big feeds (usage, installs) are joined set-based once, inside the attached-MRR table.
select
    listed.partner_id,
    usage.portal_id,
    usage.month
from {{ ref('stg_hubspot__app_usage_monthly') }} as usage
inner join {{ ref('int_technology__app_listed_months') }} as listed
    on listed.app_id = usage.app_id
    and listed.month = usage.month
-- an inner join rather than EXISTS: engines plan it as a plain hash join (a correlated EXISTS with
-- range predicates was 2x slower in DuckDB); duplicates (several live installs, several apps of the
-- partner) collapse in the group by below, which the distinct-portal rule needs anyway.
inner join {{ ref('stg_hubspot__app_installs') }} as installs
    on installs.app_id = usage.app_id
    and installs.portal_id = usage.portal_id
where usage.api_calls > 0
    and installs.installed_on <= listed.month_end
    and (installs.uninstalled_on is null or installs.uninstalled_on >= usage.month)
group by listed.partner_id, usage.portal_id, usage.month
