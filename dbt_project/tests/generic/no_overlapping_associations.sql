{# Generic test, rules.md B5: at most one partner holds a (portal, product line) at a time — no two
   associations of the same (portal, line) overlap ([start_month, end_month), null end = open). #}
{% test no_overlapping_associations(model) %}
select association.association_id, other_association.association_id as overlapping_association_id
from {{ model }} as association
inner join {{ model }} as other_association
    on association.portal_id = other_association.portal_id
    and association.product_line = other_association.product_line
    and association.association_id < other_association.association_id
    and association.start_month < coalesce(other_association.end_month, cast('9999-12-01' as date))
    and other_association.start_month < coalesce(association.end_month, cast('9999-12-01' as date))
    -- an empty association holds no month (none since D17's revision of 2026-12-04: every end follows its start)
    and association.start_month < coalesce(association.end_month, cast('9999-12-01' as date))
    and other_association.start_month < coalesce(other_association.end_month, cast('9999-12-01' as date))
{% endtest %}
