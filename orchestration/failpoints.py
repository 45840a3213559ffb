"""Named crash points for the fault suite (issue 13 item 2): a process whose environment names a point
dies there at once (os._exit, no cleanup, no finally blocks), as a power cut or `kill -9` would.

Only the tests set PARTNER_WAREHOUSE_FAILPOINT; unset, a failpoint is one dictionary lookup.
"""

from __future__ import annotations

import os
import sys

ENV = "PARTNER_WAREHOUSE_FAILPOINT"
EXIT_CODE = 86

# The step boundaries of one publication, in the order a run passes them.
PUBLICATION_POINTS = (
    "staging_created",  # an empty staging folder exists
    "version_written",  # every file and the manifest written and audited in staging
    "version_renamed",  # staging renamed to v<N>; current.json still names the previous version
    "current_written",  # current.json names v<N>
    "tiers_synced",  # publication.published_technology_tiers rebuilt from the files
    "snapshot_written",  # the new analytics file written beside the old one, not yet renamed over it
    "snapshot_replaced",  # the analytics file replaced
)


def failpoint(name: str) -> None:
    if os.environ.get(ENV) == name:
        sys.stderr.write(f"failpoint {name}: the process dies here\n")
        sys.stderr.flush()
        os._exit(EXIT_CODE)
