-- rules.md B2, Part C: a closed-won deal (closed on or before the run date, G3) without any line
-- item is reported as a warning and credits nothing (it has no row in fct_deal_line_credits).
select
    cast(d.deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(d.portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(d.collaboration_type as {{ dbt.type_string() }}) as collaboration_type,
    cast(d.closed_on as date) as closed_on
from {{ ref('stg_hubspot__deals') }} as d
where d.stage = 'closed_won'
  and (d.closed_on is null or d.closed_on <= {{ run_date() }})
  and not exists (
      select 1
      from {{ ref('stg_hubspot__deal_line_items') }} as i
      where i.deal_id = d.deal_id
  )
