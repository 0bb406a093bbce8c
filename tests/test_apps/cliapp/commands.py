import click

from flask import Blueprint
from flask import current_app
from flask import Flask

app = Flask("commands")


@app.cli.command("greet")
@click.option("--name", default="World")
def greet(name):
    """Greet someone from the app."""
    click.echo(f"Hello, {name}, from {current_app.name}!")


@app.cli.group()
def db():
    """Database commands."""


@db.command("init")
def db_init():
    click.echo(f"initialized {current_app.name}")


bp = Blueprint("users", __name__)


@bp.cli.command("create")
@click.argument("name")
def create_user(name):
    click.echo(f"created {name}")


app.register_blueprint(bp)
