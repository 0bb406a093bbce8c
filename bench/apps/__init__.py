"""The workloads written idiomatically for each framework.

Each module exposes ``APPS``, a mapping from a workload name (see
``workloads.WORKLOADS``) to a function that builds a fresh WSGI application
for it. A workload a framework cannot express in synchronous WSGI is left
out of its mapping and reported as n/a.
"""
