from flask import Flask

application = Flask("from_wsgi_py")
