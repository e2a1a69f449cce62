"""What Python's fork server imports before it forks the layout processes (layout.py), and only it (imported
anywhere else, it would leave that process deaf to SIGTERM): layout.py with WeasyPrint, and the stop signals
ignored.

A service manager stops the worker with a SIGTERM to its whole process group, and the worker finishes its
job first. The fork server would die of it, and with it every layout process it forked, as far as the worker
can tell (their exit is reported through the fork server). It ends once the worker and the layout processes
have: its pipe from them closes.
"""

import signal

from .layout import STOP_SIGNALS

for which in STOP_SIGNALS:
    signal.signal(which, signal.SIG_IGN)
