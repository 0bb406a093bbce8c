"""The entry point of the end-to-end benchmark's servers (gunicorn, granian).

``e2e.py`` starts ``gunicorn serve:application`` or ``granian --interface
wsgi serve:application`` from this directory, with ``BENCH_APP_MODULE``
(e.g. ``apps.flask_app``) and ``BENCH_WORKLOAD`` (e.g. ``hello``) in the
environment.
"""

from __future__ import annotations

import importlib
import os

_module = importlib.import_module(os.environ["BENCH_APP_MODULE"])
application = _module.APPS[os.environ["BENCH_WORKLOAD"]]()
