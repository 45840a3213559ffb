-- rules.md B5, D17, B9, D20, D21: partner x portal x product line associations, from the crediting
-- deal's close month to the first month the line's MRR is 0 (exclusive; null = still open at the
-- last month of portal_mrr_monthly), with the commission terms fixed by the crediting deal.
select
    cast(association_id as {{ dbt.type_string() }}) as association_id,
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(product_line as {{ dbt.type_string() }}) as product_line,
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(collaboration_type as {{ dbt.type_string() }}) as collaboration_type,
    cast(edition as {{ dbt.type_string() }}) as edition,
    cast(deal_line_mrr_usd as decimal(18, 2)) as deal_line_mrr_usd,
    cast(start_month as date) as start_month,
    cast(end_month as date) as end_month,
    cast(solutions_type as {{ dbt.type_string() }}) as solutions_type,
    cast(enterprise_referral_applies as boolean) as enterprise_referral_applies,
    cast(commission_program as {{ dbt.type_string() }}) as commission_program,
    cast(commission_rate as decimal(9, 4)) as commission_rate,
    cast(commission_months as integer) as commission_months
from {{ ref('int_solutions__associations') }}
