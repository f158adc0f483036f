"""What the records app tells apps above it, which it does not import.

import_finished: sent once an import has been applied (status done, not a dry run), after its
transaction committed. Arguments: `batch` (the ImportBatch) and `feeds`, the set of
(department id, domain code) pairs of the rows it applied (domain None for a judgment without one).
"""

from django.dispatch import Signal

import_finished = Signal()
