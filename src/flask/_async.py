"""Run coroutine functions from sync code on one long-lived event loop per
thread; :meth:`flask.Flask.async_to_sync` uses it.

Flask 3.1 calls :func:`asgiref.sync.async_to_sync`, which starts a thread
and a fresh event loop for every call: an async view costs several times a
sync one. Here each worker thread keeps one event loop, created on first
use, and runs the coroutine to completion on it in the calling thread, so
the request still finishes before its response is sent.

What asgiref does and this keeps:

- The coroutine runs in a copy of the caller's context (it sees
  ``request``, ``g`` and any context variable), and the variables it
  changes are set back in the caller's context afterwards.
- The exception being handled by the caller is the one being handled
  inside the coroutine (:func:`sys.exc_info`), for error handlers.
- Thread-sensitive :func:`asgiref.sync.sync_to_async` calls made by the
  coroutine run in the calling thread.
- Tasks the coroutine left running are cancelled when it returns, as
  :func:`asyncio.run` does, so nothing of one request runs in the next.

If an event loop is already running in this thread (async code calling a
sync function that calls an async view function), the coroutine runs on a
fresh loop in a helper thread instead, where asgiref would refuse.
"""

from __future__ import annotations

import asyncio
import atexit
import collections.abc as cabc
import contextlib
import contextvars
import os
import sys
import threading
import typing as t
import weakref
from concurrent.futures import Executor
from concurrent.futures import Future
from types import CoroutineType

_T = t.TypeVar("_T")
_CoroFunc = t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
_missing: t.Any = object()
# Loop passes to try before waiting with run_until_complete.
_EAGER_PASSES = 3
# Tasks take the context to run in from Python 3.11.
_TASK_CONTEXT = sys.version_info >= (3, 11)
_THREADLOCAL_NAMES = ("main_event_loop", "main_event_loop_pid", "task_context")


def _asgiref_sync() -> t.Any:
    """The ``asgiref.sync`` module, or ``None`` if it is not installed."""
    try:
        import asgiref.sync
    except ImportError:
        return None

    return asgiref.sync


class _InlineExecutor(Executor):
    """Runs submitted functions at once, in the thread of the event loop:
    that is the request's thread, where asgiref runs thread-sensitive
    ``sync_to_async`` calls. The loop waits meanwhile, as the request
    thread would.
    """

    def submit(
        self, fn: t.Callable[..., _T], /, *args: t.Any, **kwargs: t.Any
    ) -> Future[_T]:
        future: Future[_T] = Future()
        # asgiref's handler marks this thread as one whose caller runs an
        # event loop, and never unmarks it. Left marked, a later
        # async_to_sync() here would schedule on our idle loop and wait
        # forever.
        marks = _asgiref_sync().SyncToAsync.threadlocal
        saved = [getattr(marks, name, _missing) for name in _THREADLOCAL_NAMES]

        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:
            future.set_exception(e)
        finally:
            for name, value in zip(_THREADLOCAL_NAMES, saved, strict=True):
                if value is _missing:
                    marks.__dict__.pop(name, None)
                else:
                    setattr(marks, name, value)

        return future


_INLINE_EXECUTOR = _InlineExecutor()


class _TaskCounter:
    """The task factory of our loops: counts the tasks the coroutines
    create (``run`` makes its own task directly).

    PERF: knowing that a call created no other task spares an
    asyncio.all_tasks() (1.5 us) after each call.
    """

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self,
        loop: asyncio.AbstractEventLoop,
        coro: cabc.Generator[t.Any, None, _T] | cabc.Coroutine[t.Any, t.Any, _T],
        /,
        **kwargs: t.Any,
    ) -> asyncio.Future[_T]:
        self.count += 1
        return asyncio.Task(coro, loop=loop, **kwargs)


class _ThreadLoop:
    """The event loop of one thread; closed when the thread ends (its
    thread-local value is dropped), at exit, or after a fork.
    """

    __slots__ = ("loop", "tasks", "fast", "__weakref__")

    def __init__(self) -> None:
        self.loop = loop = asyncio.new_event_loop()
        #: Whether _run_ready can drive this loop, and run() read its
        #: state directly: asyncio's own loops.
        self.fast = (
            isinstance(loop, asyncio.BaseEventLoop)
            and all(
                hasattr(loop, name)
                for name in (
                    "_ready",
                    "_closed",
                    "_asyncgen_firstiter_hook",
                    "_asyncgen_finalizer_hook",
                )
            )
            and type(getattr(loop, "_asyncgens", None)) is weakref.WeakSet
        )
        # Not a bound method: the loop must not keep this object alive, so
        # that it is closed as soon as its thread ends.
        self.tasks = _TaskCounter()
        loop.set_task_factory(self.tasks)
        _open_loops.add(self)
        asgiref_sync = _asgiref_sync()

        if asgiref_sync is not None:
            asgiref_sync.AsyncToSync.loop_thread_executors[loop] = _INLINE_EXECUTOR

    def close(self) -> None:
        loop = self.loop

        if loop.is_closed() or loop.is_running():
            return

        asgiref_sync = _asgiref_sync()

        if asgiref_sync is not None:
            asgiref_sync.AsyncToSync.loop_thread_executors.pop(loop, None)

        loop.close()

    def __del__(self) -> None:
        self.close()


_open_loops: weakref.WeakSet[_ThreadLoop] = weakref.WeakSet()
_local = threading.local()


@atexit.register
def _close_open_loops() -> None:
    for thread_loop in list(_open_loops):
        thread_loop.close()


def _forget_parent_loops() -> None:
    # An event loop's selector and wake-up pipe must not be shared with
    # the parent process; the child makes its own on first use.
    global _local
    _local = threading.local()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parent_loops)


async def _main(
    awaitable: cabc.Awaitable[t.Any],
    exc: BaseException | None,
    final_context: list[contextvars.Context],
) -> t.Any:
    try:
        if exc is not None:
            # In another thread: handle the caller's exception there too,
            # so sys.exc_info() in the coroutine is what it is here.
            try:
                raise exc
            except BaseException:
                return await awaitable

        return await awaitable
    finally:
        final_context.append(contextvars.copy_context())


def _restore_context(context: contextvars.Context) -> None:
    """Set the variables changed in ``context`` in the current context."""
    for var, value in context.items():
        if var.get(_missing) is not value:
            var.set(value)


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the tasks a coroutine started and did not wait for, and
    close its unfinished async generators, as :func:`asyncio.run` does.
    """
    tasks = asyncio.all_tasks(loop)

    if tasks:
        for task in tasks:
            task.cancel()

        loop.run_until_complete(_wait_all(tasks))

        for task in tasks:
            if not task.cancelled() and task.exception() is not None:
                loop.call_exception_handler(
                    {
                        "message": "unhandled exception in a task left running"
                        " by an async view or hook",
                        "exception": task.exception(),
                        "task": task,
                    }
                )

    # Like loop.shutdown_asyncgens(), which would also mark the loop as
    # shut down and make later async generators warn.
    # NOTE: _asyncgens is private, but the only record of them.
    agens = getattr(loop, "_asyncgens", None)

    if agens:
        pending = list(agens)
        agens.clear()
        loop.run_until_complete(_wait_all(agen.aclose() for agen in pending))


async def _wait_all(awaitables: cabc.Iterable[cabc.Awaitable[t.Any]]) -> None:
    # Inside a coroutine, so gather() uses the running loop.
    await asyncio.gather(*awaitables, return_exceptions=True)


def _hide_outer_executor() -> t.Any:
    """If this thread runs thread-sensitive work for an enclosing asgiref
    ``async_to_sync``, hide that call's executor and return it.

    Its thread is this one, busy running our loop, so work sent there
    would wait forever; with it hidden, asgiref uses ours.
    """
    asgiref_sync = sys.modules.get("asgiref.sync")

    # PERF: the thread-local mark is cheap to read (through __dict__,
    # getattr with a default costs 0.5 us); the executor, an asgiref
    # Local, costs about 3 us when it is not set.
    if (
        asgiref_sync is None
        or asgiref_sync.SyncToAsync.threadlocal.__dict__.get("main_event_loop") is None
    ):
        return None

    executors = asgiref_sync.AsyncToSync.executors
    outer = getattr(executors, "current", None)

    if outer is not None:
        executors.current = None

    return outer


def run(func: _CoroFunc, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
    """Call the coroutine function ``func`` and run the coroutine to
    completion on this thread's event loop; return its result or raise
    its exception.
    """
    if asyncio._get_running_loop() is not None:
        # Async code up the stack (maybe on this thread's loop) called the
        # sync code that called us; a running loop cannot be re-entered.
        return _run_in_helper_thread(func, args, kwargs)

    thread_loop: _ThreadLoop | None = getattr(_local, "value", None)

    # PERF: on asyncio's own loops, is_closed() and the truth of the
    # async generators' WeakSet are read without their Python calls, and a
    # coroutine is known without inspect's: 1.2% of the bench's async
    # request (callgrind, 138.0k -> 136.4k instructions).
    if thread_loop is None or (
        thread_loop.loop._closed  # type: ignore[attr-defined]
        if thread_loop.fast
        else thread_loop.loop.is_closed()
    ):
        thread_loop = _local.value = _ThreadLoop()

    loop = thread_loop.loop
    outer_executor = _hide_outer_executor()
    final_context: list[contextvars.Context] = []
    thread_loop.tasks.count = 0

    try:
        task = _start(loop, func, args, kwargs, final_context)

        try:
            # PERF: one pass over the ready callbacks is enough for a
            # coroutine that never waits (run_until_complete takes two
            # and polls for I/O each time); a few more finish one that
            # only waits for what is already done (sleep(0), an inline
            # sync_to_async) before paying for run_until_complete. A pass
            # is _run_ready, or a stopped loop's run_forever.
            for _ in range(_EAGER_PASSES):
                if thread_loop.fast:
                    _run_ready(loop)
                else:
                    loop.stop()
                    loop.run_forever()

                if task.done():
                    break
            else:
                loop.run_until_complete(task)

            return task.result()
        finally:
            if not task.done():
                # Interrupted (KeyboardInterrupt): let the coroutine clean up.
                task.cancel()

                with contextlib.suppress(BaseException):
                    loop.run_until_complete(task)

            if thread_loop.tasks.count or (
                loop._asyncgens.data  # type: ignore[attr-defined]
                if thread_loop.fast
                else getattr(loop, "_asyncgens", None)
            ):
                _cancel_leftovers(loop)
    finally:
        if outer_executor is not None:
            sys.modules["asgiref.sync"].AsyncToSync.executors.current = outer_executor

        if final_context:
            _restore_context(final_context[0])


def _run_ready(loop: t.Any) -> None:
    """Run the callbacks ready on ``loop`` now, as one pass of
    ``run_forever`` does, but without polling for I/O first.

    PERF: a request with an async view costs about 3.5 us (a quarter of a
    hello-world request) less than with ``loop.stop(); loop.run_forever()``.
    NOTE: this reads asyncio's private loop internals; _ThreadLoop checks
    that they are there (not in uvloop) and uses run_forever otherwise.
    Callbacks due to I/O or timers run in the run_until_complete that
    follows when the task is still waiting.
    """
    ready = loop._ready
    hooks = sys.get_asyncgen_hooks()
    # The hooks run_forever installs, so async generators started here are
    # finalized on this loop.
    sys.set_asyncgen_hooks(
        firstiter=loop._asyncgen_firstiter_hook,
        finalizer=loop._asyncgen_finalizer_hook,
    )
    asyncio._set_running_loop(loop)

    try:
        for _ in range(len(ready)):
            handle = ready.popleft()

            if not handle._cancelled:
                handle._run()
    finally:
        asyncio._set_running_loop(None)
        sys.set_asyncgen_hooks(*hooks)


def _start(
    loop: asyncio.AbstractEventLoop,
    func: _CoroFunc,
    args: tuple[t.Any, ...],
    kwargs: dict[str, t.Any],
    final_context: list[contextvars.Context],
) -> asyncio.Task[t.Any]:
    """Create the task that runs ``func``; ``final_context`` receives the
    context that holds the task's variables once it is done."""
    coro = func(*args, **kwargs)

    # NOTE: the exception the caller is handling needs no passing here:
    # the loop runs in the caller's thread, inside its except block, so
    # sys.exc_info() in the coroutine already sees it.
    if _TASK_CONTEXT and isinstance(coro, CoroutineType):
        # PERF: the task runs in our copy of the context, which then holds
        # its final state: no wrapper coroutine, no second copy. Made
        # directly rather than by create_task: the task factory counts
        # only the tasks the coroutine makes.
        context = contextvars.copy_context()
        final_context.append(context)
        return asyncio.Task(coro, loop=loop, context=context)  # type: ignore[call-arg,unused-ignore]

    return asyncio.Task(_main(coro, None, final_context), loop=loop)


def _run_in_helper_thread(
    func: _CoroFunc, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
) -> t.Any:
    """Run the coroutine on a fresh event loop in another thread, waiting
    for it: this thread's loop is busy running the code that called us."""
    context = contextvars.copy_context()
    final_context: list[contextvars.Context] = []
    outcome: list[tuple[bool, t.Any]] = []
    coro = _main(func(*args, **kwargs), sys.exc_info()[1], final_context)

    def target() -> None:
        try:
            outcome.append((True, context.run(asyncio.run, coro)))
        except BaseException as e:
            outcome.append((False, e))

    thread = threading.Thread(target=target, name="flask-async-helper")
    thread.start()
    thread.join()

    if final_context:
        _restore_context(final_context[0])

    ok, value = outcome[0]

    if ok:
        return value

    raise value
