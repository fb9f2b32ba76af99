"""Known documents compiled into SQL that builds their response (``documents.py``)."""

from .documents import CompiledDocuments, CompiledOperation

__all__ = ["CompiledDocuments", "CompiledOperation"]
