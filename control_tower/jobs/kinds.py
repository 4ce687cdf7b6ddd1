"""Every module that registers job kinds, imported by each worker before it runs a job.

Add your module here when a feature adds a job kind (see ``control_tower.jobs.registry``).
"""

from control_tower.jobs import (
    ingest,  # noqa: F401 - ingest_upload, reingest
    registry_build,  # noqa: F401 - registry_build
    roadmap_draft,  # noqa: F401 - roadmap_draft
)
