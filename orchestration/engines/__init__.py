"""Engines other than DuckDB that run the dbt project (`partner-warehouse run --engine NAME`)."""
