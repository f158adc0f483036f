"""gunicorn's settings for cleanrecord, read from the working directory (or given with `-c gunicorn.conf.py`).

The hooks keep the folder where the workers share their request timings for /metrics
(cleanrecord/lib/metricsdir.py): emptied and named to prometheus-client before the first worker starts.
"""

from cleanrecord.lib.metricsdir import child_exit, on_starting  # noqa: F401  (gunicorn reads them by name)

# gunicorn's control socket (for `gunicornc`) defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl), which
# every server started by that user would share: two instances on one host (a second site, a soak, the tests)
# would fight over it. The platform does not use it; operators signal the master (HUP, TERM) as before.
control_socket_disable = True
