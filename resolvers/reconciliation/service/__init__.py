"""The reconciliation's operations: the report of an import (``imports``), reading it
(``reads``) and applying decisions to it (``apply``)."""
