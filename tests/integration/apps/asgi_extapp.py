"""One extension app of the integration suite, served natively over ASGI
(``app.asgi``) by uvicorn for ``test_asgi_uvicorn.py``.

``ASGI_EXT_MODULE`` names the integration test module whose
``create_app()`` builds the app (the test process builds the same one to
run that module's checks against this server).
"""

from __future__ import annotations

import importlib
import os

module = importlib.import_module(os.environ["ASGI_EXT_MODULE"])
created = module.create_app()
app = created[0] if isinstance(created, tuple) else created
