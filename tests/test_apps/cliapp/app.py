from flask import Flask

# Not named "app": found as the only Flask instance in the module.
testapp = Flask("testapp")
