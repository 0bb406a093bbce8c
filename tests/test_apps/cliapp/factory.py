from flask import Flask


def create_app():
    return Flask("app")


def create_app2(foo, bar):
    return Flask("_".join(["app2", foo, bar]))


def create_app3(foo, *, debug=False):
    app = Flask("_".join(["app3", foo]))
    app.config["FROM_FACTORY"] = debug
    return app


def no_app():
    pass


def broken():
    raise TypeError("broken inside the factory")


not_a_factory = 42
