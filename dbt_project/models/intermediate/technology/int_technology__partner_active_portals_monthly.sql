{{ config(materialized='view') }}
-- rules.md D4, D1, A1: the distinct portals that actively use at least one of a partner's apps in a
-- month. Active use (D4): api_calls > 0 for the app/portal/month AND an install of that app in that
-- portal live on at least one day of the month (installed_on <= last day, uninstalled_on null or
-- >= first day). D1: only months in which the app is listed. A1: all of the partner's apps together,
-- a portal counted once per partner and month however many of its apps it uses.
-- A view: the big feeds (usage, installs) are joined set-based once, inside the attached-MRR table.
with

listed_usage as (
    -- D1: usage in the app's listed months (2,150 apps x 36 months: a small hash table)
    select
        listed.partner_id,
        usage.app_id,
        usage.portal_id,
        usage.month,
        listed.month_end
    from {{ ref('stg_hubspot__app_usage_monthly') }} as usage
    inner join {{ ref('int_technology__app_listed_months') }} as listed
        on listed.app_id = usage.app_id
        and listed.month = usage.month
    where usage.api_calls > 0
)

-- D4: a semi join on a live install (several live installs keep the row once). Joining installs as a
-- plain inner join let DuckDB build installs x listed months first (61M rows at SF 1, 8.3 GiB peak);
-- the semi join probes usage into the installs (docs/benchmarks.md).
select
    listed_usage.partner_id,
    listed_usage.portal_id,
    listed_usage.month
from listed_usage
{{ semi_join(
    ref('stg_hubspot__app_installs'), 'installs',
    "installs.app_id = listed_usage.app_id
        and installs.portal_id = listed_usage.portal_id
        and installs.installed_on <= listed_usage.month_end
        and (installs.uninstalled_on is null or installs.uninstalled_on >= listed_usage.month)"
) }}
-- A1: a portal once per partner and month, however many of the partner's apps it uses
group by listed_usage.partner_id, listed_usage.portal_id, listed_usage.month
