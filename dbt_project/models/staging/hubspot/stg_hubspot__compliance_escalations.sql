-- Staging for the `compliance_escalations` feed: cast only (../shared/spec/feeds.md).
select
    cast(escalation_id as {{ dbt.type_string() }}) as escalation_id,
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(opened_on as date) as opened_on,
    cast(resolved_on as date) as resolved_on,
    cast(responsible as boolean) as responsible
from {{ source('hubspot', 'compliance_escalations') }}
