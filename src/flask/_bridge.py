"""Running the framework's sync request pipeline on an event loop.

Under ASGI (:mod:`flask.asgi`) the pipeline that serves WSGI requests
runs unchanged, inside a greenlet on the server's event loop. Where it
calls user code, :meth:`flask.Flask.ensure_sync` asks this module:

- a coroutine function is awaited on the server's loop: the coroutine is
  stepped in the greenlet, which switches back to the task that drives
  it (:func:`drive`) with each future the coroutine waits on, so the
  request waits without holding a thread, and sync code the coroutine
  calls can wait on the loop too;
- a plain function runs in the app's bounded thread pool, in a copy of
  the request's context whose changes are copied back, so blocking code
  (database calls, file reads) never stalls the loop.

Code already running in a pool thread that needs the loop (reading the
request body, an ``async def`` helper called through ``ensure_sync``)
submits the coroutine to the loop and waits for it.

Importing this module needs ``greenlet``, part of the ``asgi`` extra.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import typing as t
from concurrent.futures import ThreadPoolExecutor

from greenlet import getcurrent
from greenlet import greenlet

from .globals import _cv_bridge

#: The default size of an app's thread pool for sync code under ASGI; the
#: ``ASGI_THREADS`` config key changes it.
DEFAULT_THREADS = 40


class Bridge:
    """What the code of one app's ASGI requests runs with: the server's
    loop and the app's thread pool.
    """

    __slots__ = ("loop", "pool")

    def __init__(self, loop: asyncio.AbstractEventLoop, pool: ThreadPoolExecutor):
        self.loop = loop
        self.pool = pool


# Marks the pool threads, which must not switch greenlets on the loop.
_pool_thread = threading.local()


class _PipelineGreenlet(greenlet):  # type: ignore[misc]
    """The greenlet a request's pipeline runs in. It shares the context
    of the task that drives it, so context variables set inside are the
    task's.
    """

    def __init__(self, run: t.Callable[..., t.Any], parent: greenlet) -> None:
        super().__init__(run, parent)
        self.gr_context = parent.gr_context


async def drive(func: t.Callable[..., t.Any], *args: t.Any) -> t.Any:
    """Run ``func(*args)`` in a greenlet and return its result. Whatever
    a coroutine stepped in the greenlet (:func:`wait_for`) waits on, a
    future or a bare yield, is awaited here, on the task's behalf. A
    cancellation of the task is raised inside the greenlet where it
    waits, so its ``finally`` blocks run.
    """
    runner = _PipelineGreenlet(func, getcurrent())
    waiting = runner.switch(*args)

    while not runner.dead:
        try:
            if waiting is None:
                # asyncio.sleep(0): let the other tasks run once.
                await asyncio.sleep(0)
            else:
                # What a task does with a future its coroutine yields;
                # awaiting it again would find it marked as waited on.
                waiting._asyncio_future_blocking = False
                await waiting
        except BaseException as e:  # noqa: B036 - handed to the greenlet
            # With its traceback, which greenlet would otherwise replace:
            # the frames of the view that raised are what a log must show.
            waiting = runner.throw(type(e), e, e.__traceback__)
        else:
            waiting = runner.switch()

    return waiting


def in_pipeline_greenlet() -> bool:
    """Whether this code runs in a request's greenlet on the loop."""
    return isinstance(getcurrent(), _PipelineGreenlet)


def wait_for(awaitable: t.Awaitable[t.Any]) -> t.Any:
    """Wait for ``awaitable`` on the server's loop and return its result,
    from the request's greenlet or from a pool thread.

    :raises RuntimeError: on the loop's thread outside a request's
        greenlet, where waiting would block the loop for good.
    """
    current = getcurrent()

    if isinstance(current, _PipelineGreenlet):
        return _step(current, awaitable)

    loop = _cv_bridge.get().loop

    if _running_loop() is loop:
        if asyncio.iscoroutine(awaitable):
            awaitable.close()

        raise RuntimeError(
            "Sync code waited for the event loop it runs on (reading the"
            " request body, or calling an 'async def' function through"
            " ensure_sync, from code the loop runs directly such as an"
            " async generator); do it in the view instead."
        )

    return asyncio.run_coroutine_threadsafe(_awaited(awaitable), loop).result()


def _step(current: _PipelineGreenlet, awaitable: t.Awaitable[t.Any]) -> t.Any:
    """Run ``awaitable`` to its end here, in the request's greenlet: each
    time it waits, the greenlet switches to :func:`drive` with what it
    waits on. The code the coroutine calls runs in the greenlet too, so
    sync code it calls can wait in turn (an ``async def`` view reading
    the request body).
    """
    steps = awaitable.__await__()
    error: BaseException | None = None

    while True:
        try:
            waiting = steps.send(None) if error is None else steps.throw(error)
        except StopIteration as stop:
            return stop.value

        try:
            current.parent.switch(waiting)
        except BaseException as e:  # noqa: B036 - raised where it waits
            error = e
        else:
            error = None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _awaited(awaitable: t.Awaitable[t.Any]) -> t.Any:
    return await awaitable


def _run_in_copy(
    context: contextvars.Context,
    func: t.Callable[..., t.Any],
    args: t.Any,
    kwargs: t.Any,
) -> t.Any:
    _pool_thread.active = True

    try:
        return context.run(func, *args, **kwargs)
    finally:
        _pool_thread.active = False


def call_blocking(func: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
    """Call the sync ``func`` off the loop: in the app's thread pool from
    the request's greenlet (the changes it makes to context variables are
    copied back), directly from a pool thread.
    """
    if not in_pipeline_greenlet():
        return func(*args, **kwargs)

    bridge = _cv_bridge.get()
    context = contextvars.copy_context()
    future = bridge.pool.submit(_run_in_copy, context, func, args, kwargs)

    try:
        return wait_for(asyncio.wrap_future(future))
    except asyncio.CancelledError:
        # A thread cannot be stopped: the call ends before the request
        # unwinds, or its teardown functions would run beside it.
        with contextlib.suppress(BaseException):
            wait_for(asyncio.wrap_future(future))

        raise
    finally:
        _copy_back(context)


def _copy_back(context: contextvars.Context) -> None:
    """Set, in the current context, what the pool thread changed."""
    for var, value in context.items():
        try:
            if var.get() is value:
                continue
        except LookupError:
            pass

        var.set(value)


def bridged(func: t.Callable[..., t.Any], is_coroutine: bool) -> t.Callable[..., t.Any]:
    """``func`` as the pipeline calls it under ASGI: a coroutine function
    awaited on the loop, a plain function run off it.
    """
    if is_coroutine:

        def await_on_loop(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return wait_for(func(*args, **kwargs))

        return await_on_loop

    def off_the_loop(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return call_blocking(func, *args, **kwargs)

    return off_the_loop


def active() -> bool:
    """Whether the current code serves an ASGI request (in its greenlet or
    in a pool thread working for it).
    """
    return _cv_bridge.get(None) is not None
