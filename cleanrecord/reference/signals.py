"""What the reference app tells apps above it, which it does not import.

reference_loaded: sent by `load_reference` once the reference folder is loaded. Arguments: `folder` (the
folder loaded) and `stdout` (the command's output, where a receiver says what it did).
"""

from django.dispatch import Signal

reference_loaded = Signal()
