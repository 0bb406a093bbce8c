# A configuration module for tests: only upper-case names are loaded.
import os

SECRET_KEY = "from-pyfile"
TEST_KEY = "foo"
lower_key = "ignored"
_PRIVATE_UPPER = "loaded"
FILE_NAME = os.path.basename(__file__)
