"""Inkwell's settings for a deployment: HTTPS behind a reverse proxy.

:func:`inkwell.create_app` loads them unless debug mode is on (``flask
run --debug`` serves plain HTTP, where a Secure cookie would not stick).
The instance ``config.py`` and ``INKWELL_*`` variables come after and win;
they must give ``SECRET_KEY`` and ``TRUSTED_HOSTS``, which depend on the
deployment. ``flask --app inkwell check --deploy`` says what is missing.
"""

# The session cookie: only over HTTPS, and not sent with other sites'
# requests. URLs built outside a request use https.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
PREFERRED_URL_SCHEME = "https"

# Posts are text: a megabyte is plenty, and bounds every request body.
MAX_CONTENT_LENGTH = 1024 * 1024

# Refuse forms and scripts of other sites that post to Inkwell, and send
# the browser's security headers (nosniff, no framing, a content policy).
CROSS_ORIGIN_PROTECTION = True
SECURITY_HEADERS = True
