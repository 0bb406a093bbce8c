"""Accounts: registration, signing in and out, and the login guard."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any
from typing import TypeVar

from flask import Blueprint
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask.typing import ResponseReturnValue
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from .db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")

F = TypeVar("F", bound=Callable[..., Any])

MIN_PASSWORD_LENGTH = 8


def login_required(view: F) -> F:
    """Send anonymous visitors to the sign-in page, then back here."""

    @functools.wraps(view)
    def wrapped_view(**kwargs: Any) -> Any:
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path))

        return view(**kwargs)

    return wrapped_view  # type: ignore[return-value]


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the signed-in account (or ``None``) on ``g.user``.

    It runs before every request of the application, not only the ones of
    this blueprint, so every view and template can read ``g.user``.
    """
    account_id = session.get("account_id")

    if account_id is None:
        g.user = None
    else:
        g.user = (
            get_db()
            .execute("SELECT id, username FROM account WHERE id = ?", (account_id,))
            .fetchone()
        )


def _is_local_path(target: str | None) -> bool:
    # Only follow "next" to a path on this site. "//evil.example" is a
    # scheme-relative URL to another host, so it is refused as well.
    return bool(target) and target.startswith("/") and not target.startswith("//")


@bp.route("/register", methods=("GET", "POST"))
def register() -> ResponseReturnValue:
    """Create an account, then send the visitor to sign in."""
    if request.method == "POST":
        username = request.form["username"].strip()
        password = request.form["password"]
        error = None

        if not username:
            error = "Please choose a username."
        elif len(password) < MIN_PASSWORD_LENGTH:
            error = f"Passwords need at least {MIN_PASSWORD_LENGTH} characters."

        if error is None:
            db = get_db()

            try:
                db.execute(
                    "INSERT INTO account (username, password_hash) VALUES (?, ?)",
                    (username, generate_password_hash(password)),
                )
                db.commit()
            except sqlite3.IntegrityError:
                error = f"The name {username!r} is taken."
            else:
                flash("Your account is ready. Please sign in.")
                return redirect(url_for("auth.login"))

        flash(error, "error")

    return render_template("auth/register.html")


@bp.route("/login", methods=("GET", "POST"))
def login() -> ResponseReturnValue:
    """Check a username and password and remember the account in the session."""
    if request.method == "POST":
        username = request.form["username"].strip()
        password = request.form["password"]
        account = (
            get_db()
            .execute("SELECT * FROM account WHERE username = ?", (username,))
            .fetchone()
        )

        # One message for both mistakes, so the form does not reveal
        # which usernames exist.
        if account is None or not check_password_hash(
            account["password_hash"], password
        ):
            flash("Unknown username or wrong password.", "error")
        else:
            # A fresh session on sign-in: nothing set before survives.
            session.clear()
            session["account_id"] = account["id"]
            target = request.args.get("next")

            if _is_local_path(target):
                return redirect(target)  # type: ignore[arg-type]

            return redirect(url_for("posts.index"))

    return render_template("auth/login.html")


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Forget the signed-in account."""
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("posts.index"))
