from flask import Flask

app = Flask("from_app_py")
