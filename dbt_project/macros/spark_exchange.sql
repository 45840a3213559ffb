{# How a Spark build (partner-warehouse run --engine spark, docs/spark.md) meets the DuckDB warehouse:
   through Parquet files under PARTNER_WAREHOUSE_SPARK_EXCHANGE_DIR, written and read by
   orchestration/engines/spark.py. Both hooks do nothing on DuckDB or when the variable is unset, so
   `dbt build --target spark` by hand runs on whatever tables the metastore already has.

   Before the build: every source table (raw feeds as loaded and validated by the contract loader,
   published tiers) is registered as an external Parquet table at <exchange>/in/<schema>/<table>; its
   types are the DuckDB raw table's, written into the Parquet schema (feeds.md types via
   orchestration/defs/ingest/contract.py). Dropping an external table never deletes its files. #}
{% macro spark_register_sources() %}
  {% set root = env_var('PARTNER_WAREHOUSE_SPARK_EXCHANGE_DIR', '') %}
  {% if execute and target.type == 'spark' and root %}
    {% set schemas = [] %}
    {% for source in graph.sources.values() %}
      {% if source.schema not in schemas %}
        {% do run_query('create database if not exists ' ~ source.schema) %}
        {% do schemas.append(source.schema) %}
      {% endif %}
      {% set name = source.schema ~ '.' ~ source.identifier %}
      {% do run_query('drop table if exists ' ~ name) %}
      {% do run_query("create table " ~ name ~ " using parquet location '" ~ root ~ "/in/" ~ source.schema ~ "/"
                      ~ source.identifier ~ "'") %}
    {% endfor %}
  {% endif %}
{% endmacro %}

{# After the build: every model and seed that succeeded, written as Parquet to <exchange>/out/<schema>/<name>
   for the publication code to read back into DuckDB. A failed or skipped node is not written: the
   engine module then fails the run on the dbt failures before it reads anything. #}
{% macro spark_export_relations(results) %}
  {% set root = env_var('PARTNER_WAREHOUSE_SPARK_EXCHANGE_DIR', '') %}
  {% if execute and target.type == 'spark' and root %}
    {% for result in results %}
      {% set node = result.node %}
      {% if node.resource_type in ('model', 'seed') and result.status == 'success' %}
        {% do run_query("insert overwrite directory '" ~ root ~ "/out/" ~ node.schema ~ "/" ~ node.alias
                        ~ "' using parquet select * from " ~ node.schema ~ "." ~ node.alias) %}
      {% endif %}
    {% endfor %}
  {% endif %}
{% endmacro %}
