"""The mid-to-long-term AI roadmap: structure, checks, section drafting, versions, export."""
