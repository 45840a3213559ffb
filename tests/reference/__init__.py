"""Independent reference implementations of ../shared/spec/rules.md, in plain pandas.

They are written from the spec only (never from the dbt SQL) so that differential tests can compare
the two and a disagreement points at a misreading on one side.
"""
