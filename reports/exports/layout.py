"""WeasyPrint's layout of an HTML page into a PDF, in this process or in a process of its own.

A process that lays out PDFs keeps much of what WeasyPrint used for them (its caches and a heap that
does not shrink; sharing one font configuration or trimming the C heap does not give it back:
docs/benchmarks.md). A request lays out one PDF and is done; the export worker lays out a street's or a
district's status sheets, ten units at a time, and grew with them: 257 MiB for a community's 68 units,
309 MiB for a street's 721. ``LayoutProcess`` lays each part out in a child process that is replaced after
``UNITS_PER_PROCESS`` units, so the worker's memory stays flat however many units a job has (185 and
196 MiB), and the next part's HTML is rendered here while the child lays out the one before.

This module imports no Django: the child process imports it alone.
"""

from __future__ import annotations

import logging
import multiprocessing
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


class LayoutProcess:
    """Lays parts out in a child process, one at a time, in the order they are sent: ``send`` returns at
    once with a future (done when the part's file is written, raising what the layout raised), so the
    caller renders the next part meanwhile. ``units`` of each part count towards replacing the child.

    Use as a context manager: leaving it waits for the parts sent and ends the child."""

    def __init__(self, units_per_part: int, units_per_process: int = UNITS_PER_PROCESS) -> None:
        # "spawn": a child that starts clean (not a copy of a worker holding database connections and
        # threads), replaced after as many parts as make ``units_per_process`` units.
        self.pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            max_tasks_per_child=max(1, units_per_process // max(1, units_per_part)),
        )

    def send(self, html: str, stylesheets: list[str], output: str) -> Future:
        return self.pool.submit(lay_out, html, stylesheets, str(output))

    def __enter__(self) -> LayoutProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(wait=True, cancel_futures=exc[0] is not None)
