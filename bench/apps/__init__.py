"""The workloads written idiomatically for each framework.

Each module exposes ``APPS``, a mapping from a workload name (see
``workloads.WORKLOADS``) to a function that builds a fresh WSGI application
for it. A workload a framework cannot express in synchronous WSGI is left
out of its mapping and reported as n/a.

The ASGI part (``asgi_e2e.py``, ``workloads.ASGI_WORKLOADS``) serves
``flask_app``'s applications through ``app.asgi`` (ours) and
``flask_wsgi_to_asgi``'s (Flask 3.1 through asgiref); ``starlette_app``
and ``quart_app`` build ASGI applications, for that part only.
"""
