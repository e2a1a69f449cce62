"""What Python's fork server imports before it forks the layout processes (layout.py), and only it: layout.py
with WeasyPrint, and its own deafness to SIGTERM.

A service manager stops the worker with a SIGTERM to its whole process group, and the worker finishes its
job first. The fork server would die of it, and with it every layout process it forked, as far as the worker
can tell (their exit is reported through the fork server). It ignores SIGINT already; here, SIGTERM too. It
ends when the worker does: its pipe to the worker closes.
"""

import signal

from . import layout  # noqa: F401  (what the fork server is for)

signal.signal(signal.SIGTERM, signal.SIG_IGN)
