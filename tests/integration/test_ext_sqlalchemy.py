"""Flask-SQLAlchemy on SQLite: models, the session removed at teardown,
``paginate``, ``get_or_404`` and friends, recorded queries.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from integration_helpers import NOT_INSTALLED

pytest.importorskip("flask_sqlalchemy", reason=NOT_INSTALLED)

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.record_queries import get_recorded_queries
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flask import abort
from flask import Flask
from flask import jsonify
from flask import request


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Author(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    posts: Mapped[list[Post]] = relationship(back_populates="author")


class Post(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("author.id"))
    author: Mapped[Author] = relationship(back_populates="posts")


def create_app(database: Path) -> Flask:
    app = Flask(__name__)
    app.config.update(
        TESTING=True,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}",
        SQLALCHEMY_RECORD_QUERIES=True,
    )
    db.init_app(app)

    @app.get("/posts")
    def list_posts():
        page = db.paginate(db.select(Post).order_by(Post.id), per_page=5)
        return jsonify(
            items=[p.title for p in page.items],
            page=page.page,
            pages=page.pages,
            total=page.total,
            has_next=page.has_next,
            next_num=page.next_num,
            iter_pages=list(page.iter_pages()),
        )

    @app.get("/posts/<int:post_id>")
    def show_post(post_id: int):
        post = db.get_or_404(Post, post_id, description="No such post.")
        return jsonify(title=post.title, author=post.author.name)

    @app.get("/authors/<name>")
    def show_author(name: str):
        author = db.first_or_404(db.select(Author).filter_by(name=name))
        one = db.one_or_404(db.select(Author).filter_by(id=author.id))
        return jsonify(name=one.name, posts=[p.title for p in author.posts])

    @app.post("/authors/<name>/posts")
    def add_post(name: str):
        author = db.session.execute(
            db.select(Author).filter_by(name=name)
        ).scalar_one_or_none()
        if author is None:
            abort(404)
        post = Post(title=request.json["title"], author=author)
        db.session.add(post)
        if request.args.get("fail"):
            # Not committed: the teardown must roll it back.
            raise RuntimeError("failed before commit")
        db.session.commit()
        return jsonify(id=post.id), 201

    @app.get("/session-id")
    def session_id() -> str:
        return str(id(db.session()))

    return app


@pytest.fixture
def sql_app(tmp_path: Path) -> Flask:
    app = create_app(tmp_path / "blog.sqlite")

    with app.app_context():
        db.create_all()
        ann = Author(name="ann")
        db.session.add(ann)
        db.session.add_all(Post(title=f"post {i}", author=ann) for i in range(12))
        db.session.commit()

    return app


def test_pagination(sql_app: Flask) -> None:
    client = sql_app.test_client()
    data = client.get("/posts").json
    assert data["items"] == [f"post {i}" for i in range(5)]
    assert data["pages"] == 3
    assert data["total"] == 12
    assert data["has_next"] and data["next_num"] == 2
    assert data["iter_pages"] == [1, 2, 3]

    data = client.get("/posts?page=3").json
    assert data["items"] == ["post 10", "post 11"]
    assert not data["has_next"]
    # Past the last page, or a bad page number, is a 404.
    assert client.get("/posts?page=4").status_code == 404
    assert client.get("/posts?page=x").status_code == 404


def test_get_or_404_first_or_404(sql_app: Flask) -> None:
    client = sql_app.test_client()
    assert client.get("/posts/1").json == {"title": "post 0", "author": "ann"}

    rv = client.get("/posts/999")
    assert rv.status_code == 404
    assert "No such post." in rv.text

    assert client.get("/authors/ann").json["posts"][:2] == ["post 0", "post 1"]
    assert client.get("/authors/nobody").status_code == 404


def test_session_removed_at_teardown(sql_app: Flask) -> None:
    sql_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = sql_app.test_client()

    rv = client.post("/authors/ann/posts", json={"title": "kept"})
    assert rv.status_code == 201

    rv = client.post("/authors/ann/posts?fail=1", json={"title": "lost"})
    assert rv.status_code == 500

    with sql_app.app_context():
        titles = db.session.scalars(db.select(Post.title)).all()
        assert "kept" in titles
        assert "lost" not in titles

    # Each request (app context) gets its own scoped session.
    assert client.get("/session-id").text != client.get("/session-id").text


def test_session_scoped_to_app_context(sql_app: Flask) -> None:
    with sql_app.app_context():
        first = db.session()
        assert db.session() is first
        with sql_app.app_context():
            assert db.session() is not first
        assert db.session() is first


def test_recorded_queries(sql_app: Flask) -> None:
    with sql_app.test_request_context():
        db.session.get(Post, 1)
        queries = get_recorded_queries()
        assert len(queries) == 1
        assert "FROM post" in queries[0].statement
        assert queries[0].location.endswith("(test_recorded_queries)")


def test_engine_per_app_and_extension_registered(sql_app: Flask) -> None:
    assert sql_app.extensions["sqlalchemy"] is db
    with sql_app.app_context():
        assert str(db.engine.url).endswith("blog.sqlite")
