{# Issue 18: monthly aggregates built incrementally, one month at a time.

   A model that uses these macros holds one row set per calendar month, and a month's rows depend only on
   the inputs' rows of that month (the month of a usage row, an install live that month, ...). A run then
   builds only:
   - the months from the first month a feed changed since the model was last built (meta.feed_changes,
     written by the loader, orchestration/defs/ingest/load.py), for the feeds upstream of the model;
   - the months of `months_relation` (the months this run needs) that the table does not hold yet;
   and deletes those months and the months no longer needed before inserting. Everything is built again
   (a full build) when the model, a model or seed upstream of it (their checksums, which cover the seeds'
   contents) or the set of feeds upstream changed since its last build, when a feed changed in every month
   (no time columns, a first load), on `--full-refresh`, and on the first build.

   The watermark of each build is a row of meta.incremental_builds (model, signature, last load seen),
   written by the post-hook. tests/test_incremental.py builds the same data both ways and compares
   every relation. On Spark (no meta schema there) the models are plain tables. #}

{% macro month_incremental_materialization() -%}
    {{- return('incremental' if target.type == 'duckdb' else 'table') -}}
{%- endmacro %}

{# (signature, feeds): the checksums of every model and seed upstream of the current model (its own
   included), and the raw feeds (source names) it reads, walking the graph. The walk does not enter
   `months_relation`: it decides which months exist, not what a month holds (its months are compared). #}
{% macro _upstream_inputs(months_relation) -%}
    {%- set seen = [model.unique_id] -%}
    {%- set parts = [] -%}
    {%- set feeds = [] -%}
    {%- for node_id in seen -%}
        {%- set node = graph.nodes.get(node_id) -%}
        {%- if node is not none -%}
            {%- do parts.append(node_id ~ '=' ~ node.checksum.checksum) -%}
            {%- for parent in node.depends_on.nodes -%}
                {%- if graph.nodes.get(parent) is not none and graph.nodes[parent].name == months_relation.identifier -%}
                {%- elif parent.startswith('source.') -%}
                    {%- set name = graph.sources[parent].name -%}
                    {%- if name not in feeds -%}{%- do feeds.append(name) -%}{%- endif -%}
                {%- elif parent not in seen -%}
                    {%- do seen.append(parent) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set feeds = feeds | sort -%}
    {%- set signature = local_md5((parts | sort | join(';')) ~ '|' ~ (feeds | join(','))) -%}
    {{- return({'signature': signature, 'feeds': feeds}) -}}
{%- endmacro %}

{# The model's key in meta.incremental_builds: schema and name (a copy of the warehouse file keeps it). #}
{% macro _build_key() -%}
    {{- return(this.schema ~ '.' ~ this.identifier) -}}
{%- endmacro %}

{% macro _incremental_builds_table() -%}
    {%- do run_query(
        "create table if not exists meta.incremental_builds"
        ~ " (model varchar, signature varchar, last_loaded_at timestamp, built_at timestamp)"
    ) -%}
{%- endmacro %}

{# The months to build this run: a list of 'YYYY-MM-DD' strings, or none for every month (a full build).
   Outside an incremental run (first build, --full-refresh, Spark, unit tests, parse): none. #}
{% macro incremental_months(months_relation, month_column='month') -%}
    {%- if not (execute and flags.WHICH in ['run', 'build'] and this is not none and target.type == 'duckdb' and is_incremental()) -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- do run_query('create schema if not exists meta') -%}
    {%- do _incremental_builds_table() -%}
    {%- set inputs = _upstream_inputs(months_relation) -%}
    {%- set build = run_query(
        "select signature, cast(last_loaded_at as varchar) from meta.incremental_builds where model = '"
        ~ _build_key() ~ "'"
    ) -%}
    {%- if build.rows | length == 0 or build.rows[0][0] != inputs.signature -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set since = "timestamp '" ~ build.rows[0][1] ~ "'" if build.rows[0][1] is not none else "timestamp '0001-01-01'" -%}
    {%- set feed_list = "'" ~ (inputs.feeds | join("', '")) ~ "'" -%}
    {%- set changes = run_query(
        "select coalesce(bool_or(whole), false), cast(min(changed_from) as varchar) from meta.feed_changes"
        ~ " where feed in (" ~ feed_list ~ ") and loaded_at > " ~ since
    ) -%}
    {%- if changes.rows[0][0] -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set changed_from = changes.rows[0][1] -%}
    {%- set months = run_query(
        "select cast(month as varchar) from " ~ months_relation ~ " where "
        ~ ("month >= date '" ~ changed_from ~ "' or " if changed_from is not none else "")
        ~ "month not in (select distinct " ~ month_column ~ " from " ~ this ~ " where " ~ month_column
        ~ " is not null) order by 1"
    ) -%}
    {{- return(months.columns[0].values() | list) -}}
{%- endmacro %}

{# A WHERE condition keeping the months to build (`true` on a full build). #}
{% macro months_condition(months, column) -%}
    {%- if months is none -%}
        true
    {%- elif months | length == 0 -%}
        false
    {%- else -%}
        {{ column }} in ({% for m in months %}date '{{ m }}'{{ ', ' if not loop.last }}{% endfor %})
    {%- endif -%}
{%- endmacro %}

{# Pre-hook: delete the months about to be built and those `months_relation` no longer holds. #}
{% macro delete_incremental_months(months_relation, month_column='month') -%}
    {%- if execute and flags.WHICH in ['run', 'build'] and this is not none and target.type == 'duckdb' and is_incremental() -%}
        {%- set months = incremental_months(months_relation, month_column) -%}
        delete from {{ this }}
        where {{ months_condition(months, month_column) }}
            or {{ month_column }} not in (select month from {{ months_relation }})
    {%- endif -%}
{%- endmacro %}

{# Post-hook: the watermark of this build. #}
{% macro record_incremental_build(months_relation) -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- do run_query('create schema if not exists meta') -%}
        {%- do _incremental_builds_table() -%}
        {%- set inputs = _upstream_inputs(months_relation) -%}
        delete from meta.incremental_builds where model = '{{ _build_key() }}';
        insert into meta.incremental_builds
        select
            '{{ _build_key() }}',
            '{{ inputs.signature }}',
            (select max(loaded_at) from meta.feed_changes),
            now()
    {%- endif -%}
{%- endmacro %}
