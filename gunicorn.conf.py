"""gunicorn's settings for cleanrecord, read from the working directory (or given with `-c gunicorn.conf.py`).

The hooks keep the folder where the workers share their request timings for /metrics
(cleanrecord/lib/metricsdir.py): emptied and named to prometheus-client before the first worker starts.
"""

from cleanrecord.lib.metricsdir import child_exit, on_starting  # noqa: F401  (gunicorn reads them by name)
