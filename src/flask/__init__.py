"""A micro web framework on werkzeug and Jinja, a drop-in for Flask 3.1.

This module only re-exports the public names from the modules that define
them.
"""

from __future__ import annotations

import typing as t

from . import json as json
from .app import Flask as Flask
from .blueprints import Blueprint as Blueprint
from .config import Config as Config
from .ctx import after_this_request as after_this_request
from .ctx import copy_current_request_context as copy_current_request_context
from .ctx import has_app_context as has_app_context
from .ctx import has_request_context as has_request_context
from .globals import current_app as current_app
from .globals import g as g
from .globals import request as request
from .globals import session as session
from .globals import websocket as websocket
from .helpers import abort as abort
from .helpers import flash as flash
from .helpers import get_flashed_messages as get_flashed_messages
from .helpers import get_template_attribute as get_template_attribute
from .helpers import make_response as make_response
from .helpers import redirect as redirect
from .helpers import send_file as send_file
from .helpers import send_from_directory as send_from_directory
from .helpers import stream_with_context as stream_with_context
from .helpers import url_for as url_for
from .json import jsonify as jsonify
from .signals import appcontext_popped as appcontext_popped
from .signals import appcontext_pushed as appcontext_pushed
from .signals import appcontext_tearing_down as appcontext_tearing_down
from .signals import before_render_template as before_render_template
from .signals import got_request_exception as got_request_exception
from .signals import message_flashed as message_flashed
from .signals import request_finished as request_finished
from .signals import request_started as request_started
from .signals import request_tearing_down as request_tearing_down
from .signals import template_rendered as template_rendered
from .templating import render_template as render_template
from .templating import render_template_string as render_template_string
from .templating import stream_template as stream_template
from .templating import stream_template_string as stream_template_string
from .wrappers import Request as Request
from .wrappers import Response as Response

if t.TYPE_CHECKING:  # pragma: no cover
    from . import cli as cli
    from ._checks import Check as Check
    from ._cross_origin import cross_origin_exempt as cross_origin_exempt
    from ._cross_origin import CrossOriginProtection as CrossOriginProtection
    from ._security_headers import csp_nonce as csp_nonce

# Loaded on first use, so that ``import flask`` does not load click and the
# opt-in features: name -> the module that defines it.
_ON_USE = {
    "cli": "flask.cli",
    "Check": "flask._checks",
    "cross_origin_exempt": "flask._cross_origin",
    "CrossOriginProtection": "flask._cross_origin",
    "csp_nonce": "flask._security_headers",
}

# COMPAT(3.1): Flask 3.1 still answers ``flask.__version__``, with a
# warning; extensions' test suites read it to pick code paths.
_VERSION_WARNING = (
    "The '__version__' attribute is deprecated and will be removed in Flask 3.2."
    " Use feature detection or 'importlib.metadata.version(\"flask\")' instead."
)


def __getattr__(name: str) -> t.Any:
    if name in _ON_USE:
        import importlib

        module = importlib.import_module(_ON_USE[name])
        return module if name == "cli" else getattr(module, name)

    if name != "__version__":
        raise AttributeError(name)

    # Imported here: importlib.metadata is slow to import, and only this
    # deprecated attribute needs it.
    import importlib.metadata
    import warnings

    warnings.warn(_VERSION_WARNING, DeprecationWarning, stacklevel=2)
    return importlib.metadata.version("flask")
