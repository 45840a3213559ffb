"""The partner-manager web page (issue 6): a read-only view of the published tier extracts."""

from orchestration.portal.app import create_app, serve

__all__ = ["create_app", "serve"]
