from django.core.management.base import BaseCommand

from votes.jobs import job_run
from votes.services import vote_counts_reconcile
from votes.tasks import RECONCILE_JOB


class Command(BaseCommand):
    help = "Rebuild every ranking figure from the votes table, in set-based SQL."

    def handle(self, *args, **options):
        steps = [("vote counts", RECONCILE_JOB, lambda: {"repaired": vote_counts_reconcile()})]
        for number, (label, job, work) in enumerate(steps, start=1):
            self.stdout.write(f"[{number}/{len(steps)}] {label} ...", ending="")
            self.stdout.flush()
            detail = job_run(job, work)
            if detail is None:
                self.stdout.write(" skipped: another run is in progress")
            else:
                self.stdout.write(f" done in {detail['duration_s']:.2f}s ({detail})")
        self.stdout.write(self.style.SUCCESS("Rankings rebuilt."))
