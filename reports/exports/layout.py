"""WeasyPrint's layout of an HTML page into a PDF, in this process or in a process of its own.

A process that lays out PDFs keeps much of what WeasyPrint used for them (its caches and a heap that
does not shrink; sharing one font configuration or trimming the C heap does not give it back:
docs/benchmarks.md). A request lays out one PDF and is done; the export worker lays out a street's or a
district's status sheets, ten units at a time, and grew with them: 257 MiB for a community's 68 units,
309 MiB for a street's 721. ``LayoutProcess`` lays each part out in a child process that is replaced after
``UNITS_PER_PROCESS`` units, and the next part's HTML is rendered in the worker while the child lays out
the one before. Neither grows with the units of a job: the worker peaks at 121 and 131 MiB, its layout
process at 186 and 193 MiB (together 307 and 324 MiB, for a community and for a street).

This module imports no Django: the fork server the children come from imports it alone (layout_server.py).
Like a "spawn" child, each child also imports the worker's main module: a script that runs a job itself
keeps its work under ``if __name__ == "__main__":`` (manage.py, gunicorn and pytest do).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import forkserver
from pathlib import Path

from weasyprint import CSS, HTML

# Units a layout process lays out before it is replaced. More let its memory grow (50: a street's peak 1.18
# times a community's); 30: 1.04 times. Measured side by side when each new child was a fresh interpreter
# (about half a second to start, which 20 units a process paid for in time); forked from the fork server,
# a child starts in milliseconds (docs/benchmarks.md).
UNITS_PER_PROCESS = 30

# The folder holding this package, for the fork server to import it from.
PROJECT = str(Path(__file__).resolve().parents[2])

# Fonts are looked up by fontconfig; WeasyPrint logs every font subset at INFO and would also warn about the
# (absent) base URL: keep its chatter out of the server log.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def lay_out(html: str, stylesheets: list[str], output) -> None:
    """Lay ``html`` out with ``stylesheets`` (CSS texts) into ``output`` (a path or a binary file).

    Nothing is fetched: the stylesheets come as text and the pages link no images, so the PDF is the same
    on an intranet machine without internet."""
    HTML(string=html, base_url=None).write_pdf(output, stylesheets=[CSS(string=text) for text in stylesheets])


# What stops the worker, which catches them to finish its job first (django-tasks' db_worker: SIGQUIT too); a
# service manager or a terminal sends them to the whole process group.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, name))


def _child() -> None:
    """A layout process leaves stopping to the worker, and ends when the worker is gone, whatever stopped it:
    killed (out of memory, say), the worker tells it nothing, and its queue stays open (it holds both ends)."""
    for which in STOP_SIGNALS:
        signal.signal(which, signal.SIG_IGN)
    threading.Thread(target=_end_with_the_worker, name="end-with-the-worker", daemon=True).start()


def _end_with_the_worker() -> None:
    multiprocessing.parent_process().join()  # its pipe from the worker, closed once the worker has ended
    os._exit(1)


def _started() -> None:
    """Nothing: running it, a new child has imported this module and WeasyPrint (about 54 MiB)."""


def _context():
    """Children forked from Python's fork server: a process the worker starts once, which has imported this
    module and WeasyPrint and nothing else (layout_server.py). A child starts clean, not a copy of a worker
    holding database connections and threads, in a few milliseconds instead of the half second a fresh
    interpreter takes to import WeasyPrint.

    The fork server is a new interpreter that is not given the worker's ``sys.path`` (Python 3.11): it finds
    this package through ``PYTHONPATH``, set to the project's folder while it starts (a worker started from
    another folder, as a service manager does, would otherwise have a fork server that silently imports
    nothing, and dies of the worker's SIGTERM with every child it forked)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([f"{__package__}.layout_server"])
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [PROJECT, before]))
    try:
        forkserver.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before
    return context


class LayoutProcess:
    """Lays parts out in a child process, one at a time, in the order they are sent: ``send`` returns at
    once with a future (done when the part's file is written, raising what the layout raised), so the
    caller renders the next part meanwhile. After the parts that make ``units_per_process`` units (at
    least one part), the next part goes to a new child, started while the old one lays out its last part.

    Use as a context manager: leaving it waits for the parts sent and ends the children."""

    def __init__(self, units_per_part: int, units_per_process: int = UNITS_PER_PROCESS) -> None:
        self.parts_per_process = max(1, units_per_process // max(1, units_per_part))
        self.pool: ProcessPoolExecutor | None = None  # the child laying out
        self.next_pool: ProcessPoolExecutor | None = None  # the one started to take over from it
        self.sent = 0  # parts sent to the child laying out

    def executor(self) -> ProcessPoolExecutor:
        """The child the next part goes to. Children are replaced here rather than by the executor's own
        ``max_tasks_per_child``, which can leave the last part waiting forever (CPython issue 115634)."""
        if self.pool is None or self.sent == self.parts_per_process:
            old, self.pool = self.pool, self.next_pool or self._start()
            self.next_pool, self.sent = None, 0
            if old is not None:
                old.shutdown(wait=True)  # its last part: the one the caller waits for next anyway
        self.sent += 1
        if self.sent == self.parts_per_process:
            self.next_pool = self._start()  # ready when the old one has laid out its last part
        return self.pool

    @staticmethod
    def _start() -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=_child)
        pool.submit(_started)
        return pool

    def send(self, html: str, stylesheets: list[str], output: str) -> Future:
        return self.executor().submit(lay_out, html, stylesheets, str(output))

    def __enter__(self) -> LayoutProcess:
        return self

    def __exit__(self, *exc) -> None:
        for pool in (self.pool, self.next_pool):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=exc[0] is not None)
