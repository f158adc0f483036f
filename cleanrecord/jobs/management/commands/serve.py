"""`manage.py serve`: what production runs, in one command — gunicorn serving the site (static files through
whitenoise) and the task worker, as two child processes. Ctrl-C or SIGTERM stops both; when either dies the
other is stopped too and serve exits non-zero, so a supervisor (systemd, make run) sees it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cleanrecord import conf

STOP_SECONDS = 30  # how long the children get to finish what they are doing before they are killed


class Command(BaseCommand):
    help = ("Serve the site with gunicorn (static files collected into the data directory and served by whitenoise) "
            "and run the task worker beside it; stop both with Ctrl-C or SIGTERM. DEBUG is off in both.")

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, help="port to listen on (default: PORT, 8000)")
        parser.add_argument("--host", help="address to listen on (default: CLEANRECORD_HOST, 127.0.0.1)")
        parser.add_argument("--workers", type=int, help="gunicorn worker processes (default: CLEANRECORD_WEB_WORKERS)")
        parser.add_argument("--no-worker", action="store_false", dest="task_worker",
                            help="serve only; the task worker runs elsewhere (manage.py worker)")

    def handle(self, *args, port, host, workers, task_worker, **options):
        port = port or conf.get("PORT")
        host = host or conf.get("HOST")
        workers = workers or conf.get("WEB_WORKERS")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(_("静态文件已收集到 %(folder)s") % {"folder": settings.STATIC_ROOT})
        env = {**os.environ, "DEBUG": "false", "PORT": str(port)}
        base = Path(settings.BASE_DIR)
        commands = {
            # gunicorn.conf.py: the hooks that share the workers' request timings for /metrics. No access log of
            # gunicorn's: the platform writes one line per request itself (cleanrecord.requestlog).
            "web": [sys.executable, "-m", "gunicorn", "cleanrecord.wsgi:application",
                    "-c", str(base / "gunicorn.conf.py"), "--bind", f"{host}:{port}",
                    "--workers", str(workers), "--graceful-timeout", str(STOP_SECONDS - 5),
                    # A 200 MB upload over a slow line takes minutes to arrive (the import itself is a task).
                    "--timeout", "600"],
        }
        if task_worker:
            commands["worker"] = [sys.executable, str(base / "manage.py"), "worker"]
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        children: dict[str, subprocess.Popen] = {}
        try:
            for name, argv in commands.items():
                # A session of their own: Ctrl-C reaches serve alone, which then stops each child once, cleanly.
                children[name] = subprocess.Popen(argv, cwd=base, env=env, start_new_session=True)
            self.stdout.write(" ".join(f"{name} pid={child.pid}" for name, child in children.items()))
            self.stdout.write(_("正在服务 %(url)s （Ctrl-C 停止）") % {"url": f"http://{host}:{port}/"})
            self.stdout.flush()
            while not stopping and all(child.poll() is None for child in children.values()):
                time.sleep(0.2)
        finally:
            died = [name for name, child in children.items() if child.poll() is not None]
            _stop(children.values())
        if died and not stopping:
            raise CommandError(_("%(processes)s 进程已退出，已停止其余进程") % {"processes": "、".join(died)})
        self.stdout.write(_("已停止"))


def _stop(children) -> None:
    """SIGTERM to each live child, then SIGKILL to any still running after STOP_SECONDS; all of them reaped."""
    children = list(children)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
