"""Posts: the public list, and writing, editing and deleting one's own."""

from __future__ import annotations

import sqlite3

from flask import abort
from flask import Blueprint
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue

from .auth import login_required
from .db import get_db

bp = Blueprint("posts", __name__)


@bp.route("/")
def index() -> ResponseReturnValue:
    """List posts, newest first, a page at a time."""
    page = request.args.get("page", 1, type=int)

    if page < 1:
        abort(404)

    per_page = current_app.config["POSTS_PER_PAGE"]
    db = get_db()
    rows = db.execute(
        "SELECT p.id, title, body, created, author_id, username"
        " FROM post p JOIN account a ON p.author_id = a.id"
        " ORDER BY created DESC, p.id DESC LIMIT ? OFFSET ?",
        # One row more than a page tells whether a next page exists.
        (per_page + 1, (page - 1) * per_page),
    ).fetchall()

    if page > 1 and not rows:
        abort(404)

    return render_template(
        "posts/index.html",
        posts=rows[:per_page],
        page=page,
        has_next=len(rows) > per_page,
    )


def get_post(post_id: int, check_author: bool = True) -> sqlite3.Row:
    """Load a post and its author's name, or end the request.

    :param post_id: the post to load.
    :param check_author: also require the signed-in account to be its author.
    :raises werkzeug.exceptions.NotFound: no such post.
    :raises werkzeug.exceptions.Forbidden: somebody else's post.
    """
    post = (
        get_db()
        .execute(
            "SELECT p.id, title, body, created, author_id, username"
            " FROM post p JOIN account a ON p.author_id = a.id"
            " WHERE p.id = ?",
            (post_id,),
        )
        .fetchone()
    )

    if post is None:
        abort(404, f"There is no post number {post_id}.")

    if check_author and post["author_id"] != g.user["id"]:
        abort(403)

    return post


def _read_form() -> tuple[str, str, str | None]:
    title = request.form["title"].strip()
    body = request.form["body"]
    error = None if title else "A post needs a title."
    return title, body, error


@bp.route("/new", methods=("GET", "POST"))
@login_required
def create() -> ResponseReturnValue:
    """Write a new post."""
    if request.method == "POST":
        title, body, error = _read_form()

        if error is None:
            db = get_db()
            db.execute(
                "INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)",
                (title, body, g.user["id"]),
            )
            db.commit()
            flash("Published.")
            return redirect(url_for("posts.index"))

        flash(error, "error")

    return render_template("posts/editor.html", post=None)


@bp.route("/<int:post_id>/edit", methods=("GET", "POST"))
@login_required
def update(post_id: int) -> ResponseReturnValue:
    """Change the title or text of one's own post."""
    post = get_post(post_id)

    if request.method == "POST":
        title, body, error = _read_form()

        if error is None:
            db = get_db()
            db.execute(
                "UPDATE post SET title = ?, body = ? WHERE id = ?",
                (title, body, post_id),
            )
            db.commit()
            flash("Saved.")
            return redirect(url_for("posts.index"))

        flash(error, "error")

    return render_template("posts/editor.html", post=post)


@bp.post("/<int:post_id>/delete")
@login_required
def delete(post_id: int) -> ResponseReturnValue:
    """Delete one's own post."""
    get_post(post_id)
    db = get_db()
    db.execute("DELETE FROM post WHERE id = ?", (post_id,))
    db.commit()
    flash("Deleted.")
    return redirect(url_for("posts.index"))
