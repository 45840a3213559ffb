{# Generic test, rules.md B5: at most one partner holds a (portal, product line) at a time — no two
   associations of the same (portal, line) overlap ([start_month, end_month), null end = open). #}
{% test no_overlapping_associations(model) %}
select a.association_id, b.association_id as overlapping_association_id
from {{ model }} as a
inner join {{ model }} as b
    on a.portal_id = b.portal_id
    and a.product_line = b.product_line
    and a.association_id < b.association_id
    and a.start_month < coalesce(b.end_month, cast('9999-12-01' as date))
    and b.start_month < coalesce(a.end_month, cast('9999-12-01' as date))
    -- an empty association holds no month (none since D17's revision of 2026-12-04: every end follows its start)
    and a.start_month < coalesce(a.end_month, cast('9999-12-01' as date))
    and b.start_month < coalesce(b.end_month, cast('9999-12-01' as date))
{% endtest %}
