"""The data-quality gate (rules.md Part C): expectation suites, set-level SQL checks, the gate report
and the Dagster asset checks that block what is downstream of the raw feeds.

Entry point: `orchestration.defs.quality.gate.run_gate`. Importing this package is cheap: Great
Expectations is imported only inside the functions that validate.
"""
