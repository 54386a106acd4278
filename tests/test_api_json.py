"""The JSON the API writes (orjson, with the standard library where orjson refuses)."""

import json
from datetime import date

from flask import jsonify


def test_results_keep_their_field_order(client):
    data = client.get("/api/search?q=python").get_json()
    assert list(data)[:3] == ["query", "total", "page"]


def test_non_ascii_is_written_as_utf8(client):
    response = client.get("/api/search?q=café")
    assert '"café"'.encode() in response.data
    assert response.get_json()["query"] == "café"


def test_a_lone_surrogate_is_escaped_rather_than_an_error(app):
    with app.app_context():
        response = jsonify({"q": "a\ud800b"})
    assert response.status_code == 200
    assert json.loads(response.data) == {"q": "a\ud800b"}


def test_integers_past_64_bits_are_written_whole(app):
    with app.app_context():
        response = jsonify({"n": 2**70})
    assert json.loads(response.data) == {"n": 2**70}


def test_dates_are_written_as_flask_writes_them(app):
    with app.app_context():
        response = jsonify({"d": date(2024, 1, 15)})
    assert json.loads(response.data) == {"d": "Mon, 15 Jan 2024 00:00:00 GMT"}


def test_facet_counts_with_number_keys_are_written(app):
    with app.app_context():
        response = jsonify({"years": {2024: 3}})
    assert json.loads(response.data) == {"years": {"2024": 3}}


def test_app_json_dumps_gives_text(app):
    with app.app_context():
        assert json.loads(app.json.dumps({"a": [1, "é"]})) == {"a": [1, "é"]}
        assert app.json.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}'
