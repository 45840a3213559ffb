{# Keep the rows of the current FROM that have at least one match in `relation` (a semi join: no row is
   duplicated however many rows match). Place it right after the FROM/JOIN clauses of a select that has
   no WHERE of its own (put filters in a CTE before it).

   DuckDB gets a true SEMI JOIN: its optimizer then probes the big left side into a hash of the small
   right side. The portable form, WHERE EXISTS, is decorrelated by DuckDB through a MARK join that
   builds the other way round: measured at SF 1 on int_technology__partner_active_portals_monthly
   (docs/benchmarks.md): semi join 14.2 s and 3.6 GiB peak, EXISTS 17.8 s and 7.8 GiB.
   Spark spells it LEFT SEMI JOIN; Trino and others take the EXISTS default. #}
{% macro semi_join(relation, alias, condition) -%}
    {{ return(adapter.dispatch('semi_join')(relation, alias, condition)) }}
{%- endmacro %}

{% macro default__semi_join(relation, alias, condition) -%}
    where exists (
        select 1
        from {{ relation }} as {{ alias }}
        where {{ condition }}
    )
{%- endmacro %}

{% macro duckdb__semi_join(relation, alias, condition) -%}
    semi join {{ relation }} as {{ alias }}
        on {{ condition }}
{%- endmacro %}

{% macro spark__semi_join(relation, alias, condition) -%}
    left semi join {{ relation }} as {{ alias }}
        on {{ condition }}
{%- endmacro %}
