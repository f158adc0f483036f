"""`manage.py worker`: django-tasks-db's worker, plus the heartbeat and the platform's schedule."""

from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from cleanrecord.jobs import memory
from cleanrecord.jobs.heartbeat import BEAT_SECONDS, Beat, beat, forget
from cleanrecord.jobs.schedule import queue_due


class Command(DatabaseWorker):
    help = ("Run background tasks as they are queued (imports, quality scores, e-mail), queue the scheduled jobs "
            "when due (see /office/jobs/), and write a heartbeat for /readyz. Stop with Ctrl-C or SIGTERM: the "
            "task running is finished first. Several workers may run, on one host or several.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--no-schedule", action="store_false", dest="schedule",
                            help="run tasks only; another worker queues the scheduled jobs")
        parser.add_argument("--beat-seconds", type=float, default=BEAT_SECONDS,
                            help="seconds between heartbeats and schedule checks (default: %(default)s)")
        # A production worker does not restart itself on code changes, whatever DEBUG is.
        parser.set_defaults(reload=False)

    def handle(self, **options):  # adds --no-schedule and --beat-seconds to the database worker's options
        schedule, beat_seconds = options.pop("schedule"), options.pop("beat_seconds")
        worker_id = options["worker_id"]
        # In the worker only (not where a task runs at once, in a web process): after each task, the memory it
        # freed goes back to the system (jobs/memory.py).
        task_finished.connect(memory.after_task, dispatch_uid="jobs.give_back_memory")
        if options["batch"]:
            # Process what is queued and stop (tests, one-off runs): the schedule is looked at once, first.
            beat(worker_id)
            if schedule:
                queue_due()
            try:
                return super().handle(**options)
            finally:
                forget(worker_id)
        ticker = Beat(worker_id, schedule=schedule, seconds=beat_seconds)
        ticker.start()
        try:
            return super().handle(**options)
        finally:
            ticker.stop()
            ticker.join(timeout=5)
            forget(worker_id)
