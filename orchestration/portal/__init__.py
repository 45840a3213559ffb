"""The partner-manager web page (issue 6): a read-only view of the published tier extracts.

The app lives in `orchestration.portal.app`; this package imports nothing at load, so the publication
code can use `orchestration.portal.labels` (the words of the extracts) without loading the web app."""
