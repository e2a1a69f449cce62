"""The bulk status-sheet PDF as the worker makes it (reports/jobs.py): time a unit and the worker's peak memory.

    python -m bench.bulk_pdf --prefix sqlite

Runs the job of street 1's first community, then of street 1 (721 units on the 10,000-household district),
each in a process of its own as a worker would (the peak resident memory of a process is its own), and
prints `name value unit` lines: units, seconds, seconds a unit, peak memory (the larger of the worker's own
and its layout processes', reports/exports/layout.py, both printed too, and their sum: the two run at
once, and the fork server's that forks them); then the street's peak over the community's, and the same of the
sums (flat memory: about 1).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
from multiprocessing import forkserver

from .common import ROOT, Timer, emit, setup_django


def run_one(level: str) -> None:
    """In this process: start the job as the street leader would and run it as the worker does."""
    from django.test import override_settings

    from reports import jobs
    from reports.models import ExportJob, JobKind, JobStatus
    from retrofit.models import User
    from units.models import Street

    street = Street.objects.order_by("pk").first()
    scope = street if level == "street" else street.communities.order_by("pk").first()
    leader = User.objects.filter(street=street, role="street_leader").order_by("pk").first()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        job, _created = jobs.start_job(leader, JobKind.STATUS_SHEETS, level, scope.pk)
    with Timer() as timer:
        jobs.run_job(job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.DONE, job.error
    # The layout processes are forked by the fork server (reports/exports/layout.py), which waits for them:
    # its own peak is read while it runs; stopped and waited for, theirs count among this process's children.
    server = forkserver._forkserver
    with open(f"/proc/{server._forkserver_pid}/status", encoding="ascii") as status:
        fork_server = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    server._stop()  # Python's own tests' way to stop it
    # The worker's peak: its own, or its layout processes' (reports/exports/layout.py), whichever is larger
    # (ru_maxrss: KiB on Linux; the children's is the largest of those ended and waited for).
    worker, layouts = (resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(
        f"{level} {job.units_total} {timer.seconds:.3f} {worker:.1f} {layouts:.1f} {job.file.size} {fork_server:.1f}",
        flush=True,
    )
    job.file.delete(save=False)
    job.delete()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prefix", default="db")
    parser.add_argument("--one", choices=["community", "street"], help="(internal) run one job in this process")
    args = parser.parse_args(argv)
    if args.one:
        setup_django()
        run_one(args.one)
        return
    peaks, together = {}, {}
    for level in ("community", "street"):
        found = subprocess.run(
            [sys.executable, "-W", "ignore", "-m", "bench.bulk_pdf", "--one", level], cwd=ROOT, env=dict(os.environ),
            capture_output=True, text=True, check=True,
        ).stdout.split()
        units, seconds, size = int(found[1]), float(found[2]), int(found[5])
        worker, layouts, fork_server = float(found[3]), float(found[4]), float(found[6])
        peak = max(worker, layouts)
        name = f"{args.prefix}.bulk_pdf.{level}"
        emit(f"{name}.units", units, "units")
        emit(f"{name}.seconds", seconds, "s")
        emit(f"{name}.per_unit", seconds / units, "s")
        emit(f"{name}.peak_memory", peak, "MiB")
        emit(f"{name}.peak_memory.worker", worker, "MiB")
        emit(f"{name}.peak_memory.layout_process", layouts, "MiB")
        emit(f"{name}.peak_memory.fork_server", fork_server, "MiB")
        # all three at once, at most (a layout process shares most of the fork server's pages: counted twice)
        emit(f"{name}.peak_memory.together", worker + layouts + fork_server, "MiB")
        together[level] = worker + layouts + fork_server
        emit(f"{name}.file", size / 2**20, "MiB")
        peaks[level] = peak
    emit(f"{args.prefix}.bulk_pdf.peak_street_over_community", peaks["street"] / peaks["community"], "x")
    emit(f"{args.prefix}.bulk_pdf.together_street_over_community", together["street"] / together["community"], "x")


if __name__ == "__main__":
    main()
