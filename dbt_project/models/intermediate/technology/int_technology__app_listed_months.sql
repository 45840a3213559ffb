-- rules.md D1: the months in which an app is listed: listed_on <= last day of the month and
-- (delisted_on null or delisted_on > first day of the month). An app's installs, usage and reviews
-- count only in these months. Built on the months of the windows that are computed
-- (int_technology__metric_months): every monthly aggregate over the big feeds joins these rows.
select
    apps.app_id,
    apps.partner_id,
    months.month,
    months.month_end
from {{ ref('stg_hubspot__apps') }} as apps
inner join {{ ref('int_technology__metric_months') }} as months
    on months.month_end >= apps.listed_on
    and (apps.delisted_on is null or months.month < apps.delisted_on)
