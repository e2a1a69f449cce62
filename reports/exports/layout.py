"""WeasyPrint's layout of an HTML page into a PDF, in this process or in a process of its own.

A process that lays out PDFs keeps much of what WeasyPrint used for them (its caches and a heap that
does not shrink; sharing one font configuration or trimming the C heap does not give it back:
docs/benchmarks.md). A request lays out one PDF and is done; the export worker lays out a street's or a
district's status sheets, ten units at a time, and grew with them: 257 MiB for a community's 68 units,
309 MiB for a street's 721. ``LayoutProcess`` lays each part out in a child process that is replaced after
``UNITS_PER_PROCESS`` units, and the next part's HTML is rendered in the worker while the child lays out
the one before. Neither grows with the units of a job: the worker peaks at 100 and 108 MiB, its layout
process at 185 and 196 MiB (together 286 and 304 MiB, for a community and for a street).

This module imports no Django: the child process imports it alone.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from concurrent.futures import Future, ProcessPoolExecutor

from weasyprint import CSS, HTML

# Units a layout process lays out before it is replaced. Starting one costs about half a second; fewer
# units a process cost time (20: 0.145 s a unit), more let its memory grow (50: a street's peak 1.18 times a
# community's); 30: 0.138 s a unit and 1.06 times (one process for every part: 0.166 s a unit).
UNITS_PER_PROCESS = 30


def lay_out(html: str, stylesheets: list[str], output) -> None:
    """Lay ``html`` out with ``stylesheets`` (CSS texts) into ``output`` (a path or a binary file).

    Nothing is fetched: the stylesheets come as text and the pages link no images, so the PDF is the same
    on an intranet machine without internet."""
    # Fonts are looked up by fontconfig; WeasyPrint logs every font subset at INFO and would also warn
    # about the (absent) base URL: keep its chatter out of the server log.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=html, base_url=None).write_pdf(output, stylesheets=[CSS(string=text) for text in stylesheets])


def _child() -> None:
    """A layout process leaves stopping to the worker: the worker catches SIGTERM and SIGINT to finish its
    job first, and a service manager or a terminal sends them to the whole process group. (A child whose
    worker is gone ends anyway: its pipe to the worker closes.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


class LayoutProcess:
    """Lays parts out in a child process, one at a time, in the order they are sent: ``send`` returns at
    once with a future (done when the part's file is written, raising what the layout raised), so the
    caller renders the next part meanwhile. After the parts that make ``units_per_process`` units (at
    least one part), the next part goes to a new child, once the old one has finished its parts.

    Use as a context manager: leaving it waits for the parts sent and ends the child."""

    def __init__(self, units_per_part: int, units_per_process: int = UNITS_PER_PROCESS) -> None:
        self.parts_per_process = max(1, units_per_process // max(1, units_per_part))
        self.pool: ProcessPoolExecutor | None = None
        self.sent = 0  # parts sent to the current child

    def executor(self) -> ProcessPoolExecutor:
        """The child the next part goes to. The child is replaced here rather than by the executor's own
        ``max_tasks_per_child``, which can leave the last part waiting forever (CPython issue 115634)."""
        if self.pool is not None and self.sent >= self.parts_per_process:
            self.pool.shutdown(wait=True)  # its last part is the one the caller waits for next anyway
            self.pool = None
        if self.pool is None:
            # "spawn": a child that starts clean, not a copy of a worker holding database connections and
            # threads.
            self.pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_child
            )
            self.sent = 0
        self.sent += 1
        return self.pool

    def send(self, html: str, stylesheets: list[str], output: str) -> Future:
        return self.executor().submit(lay_out, html, stylesheets, str(output))

    def __enter__(self) -> LayoutProcess:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=exc[0] is not None)
