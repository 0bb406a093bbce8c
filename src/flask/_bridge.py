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
import queue
import threading
import typing as t
from concurrent.futures import Future

try:
    from greenlet import getcurrent
    from greenlet import greenlet
except ImportError as e:  # pragma: no cover - without the asgi extra
    raise ImportError(
        "Serving the app over ASGI needs the 'asgi' extra: pip install 'Flask[asgi]'.",
        name=e.name,
    ) from e

from .globals import _cv_bridge

#: The default size of an app's thread pool for sync code under ASGI; the
#: ``ASGI_THREADS`` config key changes it.
DEFAULT_THREADS = 40


class Pool:
    """The bounded set of threads that run an app's sync code under ASGI.

    Threads start as calls need them, up to ``size``, and then wait for the
    next call. :meth:`run_soon` hands a call's result straight to a future
    of the loop: the view of every sync request goes through it.
    """

    def __init__(self, size: int, name: str = "flask-asgi") -> None:
        self.size = size
        self._name = name
        self._jobs: queue.SimpleQueue[t.Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        # Released by each waiting thread: a call finds one idle without
        # starting another.
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._closed = False

    def run_soon(
        self,
        loop: asyncio.AbstractEventLoop,
        func: t.Callable[..., t.Any],
        *args: t.Any,
    ) -> tuple[asyncio.Future[t.Any], list[bool]]:
        """Call ``func(*args)`` in a pool thread: the returned future of
        ``loop`` gets its result or exception, and the list's one item
        turns true when the call has ended (also if the future was
        cancelled meanwhile).

        PERF: ``loop.run_in_executor`` makes a second future in the thread
        pool and chains the two with callbacks; handing the result to the
        loop's future directly takes a fifth less of a sync request under
        uvicorn.
        """
        future = loop.create_future()
        ended = [False]
        self._put((func, args, loop, future, ended))
        return future, ended

    def submit(self, func: t.Callable[..., t.Any], *args: t.Any) -> Future[t.Any]:
        """Call ``func(*args)`` in a pool thread, for a thread-safe future."""
        future: Future[t.Any] = Future()
        self._put((func, args, None, future, None))
        return future

    def shutdown(self, wait: bool = False) -> None:
        """Let the threads end once the calls given so far are done."""
        with self._lock:
            self._closed = True
            threads = list(self._threads)

        for _ in threads:
            self._jobs.put(None)

        if wait:
            for thread in threads:
                thread.join()

    def _put(self, job: t.Any) -> None:
        if self._closed:
            raise RuntimeError("The thread pool of the ASGI app was shut down.")

        self._jobs.put(job)

        if self._idle.acquire(blocking=False):
            return

        with self._lock:
            if len(self._threads) < self.size:
                thread = threading.Thread(
                    target=self._work,
                    name=f"{self._name}_{len(self._threads)}",
                    daemon=True,
                )
                self._threads.append(thread)
                thread.start()

    def _work(self) -> None:
        jobs = self._jobs

        while True:
            self._idle.release()
            job = jobs.get()

            if job is None:
                return

            func, args, loop, future, ended = job

            if loop is None:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(func(*args))
                    except BaseException as e:  # noqa: B036 - to the caller
                        future.set_exception(e)

                continue

            try:
                result = func(*args)
            except BaseException as e:  # noqa: B036 - to the caller
                ended[0] = True
                loop.call_soon_threadsafe(_fail, future, e)
            else:
                ended[0] = True
                loop.call_soon_threadsafe(_finish, future, result)


def _finish(future: asyncio.Future[t.Any], result: t.Any) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[t.Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


class Bridge:
    """What the code of one app's ASGI requests runs with: the server's
    loop and the app's thread pool.
    """

    __slots__ = ("loop", "pool")

    def __init__(self, loop: asyncio.AbstractEventLoop, pool: Pool):
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
    future, ended = bridge.pool.run_soon(
        bridge.loop, _run_in_copy, context, func, args, kwargs
    )

    try:
        return wait_for(future)
    except asyncio.CancelledError:
        # A thread cannot be stopped: the call ends before the request
        # unwinds, or its teardown functions would run beside it.
        with contextlib.suppress(BaseException):
            wait_for(_until_ended(ended))

        raise
    finally:
        _copy_back(context)


async def _until_ended(ended: list[bool]) -> None:
    """Wait for a pool call whose future was cancelled: the thread still
    runs it. Rare (a client that left during a sync view), so polled.
    """
    while not ended[0]:
        await asyncio.sleep(0.005)


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
