import sys
import time

from django.core.management.base import BaseCommand

from core.jobs import job_run
from votes import rebuild
from votes.snapshots import top_requests_snapshot
from votes.tasks import RANKINGS_LOCK, RECONCILE_JOB, SNAPSHOT_JOB, TRENDING_JOB


class Command(BaseCommand):
    help = (
        "Rebuild every ranking figure (counts, Popular keys, Wilson bounds, trending, the top "
        "requests snapshot) from the votes table, in set-based SQL, showing progress."
    )

    def handle(self, *args, **options):
        started = phase = time.monotonic()
        self.stdout.write("Rebuilding rankings from the votes table")
        detail = job_run(
            RECONCILE_JOB,
            lambda: rebuild.rankings_rebuild(progress=self._bar),
            lock=RANKINGS_LOCK,
        )
        if detail is None:
            self.stderr.write("Another ranking job is running; try again when it has finished.")
            sys.exit(1)
        self.stdout.write("")
        self.stdout.write(
            f"  counts, keys and Wilson bounds: {detail['ideas']} ideas checked, "
            f"{detail['rewritten']} rewritten ({self._lap(phase)})"
        )
        phase = time.monotonic()
        trending = job_run(TRENDING_JOB, rebuild.trending_refresh, lock=RANKINGS_LOCK) or {}
        self.stdout.write(
            f"  trending: {trending.get('trending', 0)} ideas trending ({self._lap(phase)})"
        )
        phase = time.monotonic()
        snapshot = job_run(SNAPSHOT_JOB, top_requests_snapshot) or {}
        self.stdout.write(
            f"  top requests snapshot: {snapshot.get('entries', 0)} entries ({self._lap(phase)})"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Rankings rebuilt in {time.monotonic() - started:.2f}s.")
        )

    @staticmethod
    def _lap(since: float) -> str:
        """The seconds a phase took, as the line reporting it shows them."""
        return f"{time.monotonic() - since:.2f}s"

    def _bar(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        end = "\r" if self.stdout.isatty() and done < total else "\n"
        self.stdout.write(
            f"  ideas [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=end
        )
        self.stdout.flush()
