"""The signals the framework sends, all in one blinker namespace.

Every signal is sent with the application as the sender, so a receiver can
subscribe for one app with ``signal.connect(receiver, app)``. The framework
checks ``signal.receivers`` before sending, so a signal with no receivers
costs nothing on the request path.
"""

from __future__ import annotations

# Re-exported: extensions import Namespace from here to make their own.
from blinker import Namespace

_signals = Namespace()

# --- application context -----------------------------------------------------

#: Sent when an app context is pushed; no arguments.
appcontext_pushed = _signals.signal("appcontext-pushed")
#: Sent while an app context is torn down, after its teardown functions;
#: ``exc`` is the error that ended it, or ``None``.
appcontext_tearing_down = _signals.signal("appcontext-tearing-down")
#: Sent when an app context has been popped; no arguments.
appcontext_popped = _signals.signal("appcontext-popped")

# --- requests ----------------------------------------------------------------

#: Sent before a request is dispatched, once its context is pushed.
request_started = _signals.signal("request-started")
#: Sent with the ``response`` before it is returned to the server.
request_finished = _signals.signal("request-finished")
#: Sent when an unhandled ``exception`` reaches the app's error handling,
#: before it is logged or turned into a 500.
got_request_exception = _signals.signal("got-request-exception")
#: Sent while a request context is torn down; ``exc`` as for the app
#: context.
request_tearing_down = _signals.signal("request-tearing-down")

# --- templates and flashing --------------------------------------------------

#: Sent with ``template`` and ``context`` just before a template renders.
before_render_template = _signals.signal("before-render-template")
#: Sent with ``template`` and ``context`` once a template has rendered.
template_rendered = _signals.signal("template-rendered")
#: Sent with ``message`` and ``category`` by :func:`flask.flash`.
message_flashed = _signals.signal("message-flashed")
