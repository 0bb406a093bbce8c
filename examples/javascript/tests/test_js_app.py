from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from textstats import analyse
from textstats import MAX_TEXT


def test_page_has_the_form_and_script(client: FlaskClient):
    html = client.get("/").get_data(as_text=True)
    assert 'data-endpoint="/api/stats"' in html
    assert '<button type="submit" id="count">' in html
    assert 'src="/static/stats.js"' in html


def test_script_is_served(client: FlaskClient):
    response = client.get("/static/stats.js")
    assert response.status_code == 200
    assert response.mimetype in {"text/javascript", "application/javascript"}
    assert b"fetch(form.dataset.endpoint" in response.data
    response.close()


def test_stats_endpoint(client: FlaskClient):
    response = client.post("/api/stats", json={"text": "One fish. Two fish!"})
    assert response.status_code == 200
    assert response.json == {
        "words": 4,
        "characters": 19,
        "sentences": 2,
        "top": [["fish", 2], ["one", 1], ["two", 1]],
    }


@pytest.mark.parametrize(
    ("text", "words", "sentences"),
    [
        ("", 0, 0),
        ("   ", 0, 0),
        ("no full stop", 3, 1),
        ("Don't panic... It's fine?! Yes", 5, 3),
        ("3 cats and 42 dogs.", 3, 1),
    ],
)
def test_analyse(text: str, words: int, sentences: int):
    result = analyse(text)
    assert (result["words"], result["sentences"]) == (words, sentences)


@pytest.mark.parametrize(
    "body",
    [{"json": [1, 2]}, {"json": {"text": 3}}, {"json": {}}],
)
def test_bad_body_is_a_json_400(client: FlaskClient, body):
    response = client.post("/api/stats", **body)
    assert response.status_code == 400
    assert response.json == {"error": 'Send a JSON object with a "text" string.'}


def test_text_too_long(client: FlaskClient):
    response = client.post("/api/stats", json={"text": "a" * (MAX_TEXT + 1)})
    assert response.status_code == 400
    assert "limited" in response.json["error"]


def test_body_far_too_large_is_413(client: FlaskClient):
    response = client.post(
        "/api/stats", data="x" * (MAX_TEXT * 5), content_type="application/json"
    )
    assert response.status_code == 413
    assert "error" in response.json


def test_get_on_the_endpoint_is_405(client: FlaskClient):
    response = client.get("/api/stats")
    assert response.status_code == 405
    assert response.headers["Allow"]
