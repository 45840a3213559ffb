-- rules.md A7, A5, D10, D11: per technology partner, E and tier, whether the partner qualifies (X),
-- qualifies on performance (X_perf), uses the Premier exception, and whether its POC form is complete
-- for the tier. The rules are the macro technology_tier_qualification
-- (macros/technology_decision.sql), which the what-if simulator runs too (issue 17).
{{ technology_tier_qualification(ref('int_technology__requirement_results')) }}
