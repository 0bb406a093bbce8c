"""The parts of the framework that do no I/O: registries, the app core and
blueprints. Nothing here reads the request globals (a test enforces it).
"""
