"""The API against its own OpenAPI description (/api/openapi.json), with schemathesis.

schemathesis reads the description and generates requests for each operation: valid ones
(positive mode) and invalid ones (negative mode). Every response goes through its checks:
never a 5xx, the status code and the content type are documented, the body and headers
match the documented schemas, and invalid input is refused with a 4xx. The Flask app is
called in-process (WSGI) over a private copy of the literal test blog, so no server is needed.

Two deliberate differences from a literal reading of the description, each a rule the
description cannot state:
- positive mode skips ``positive_data_acceptance``: some valid-looking requests are
  refused on purpose, for rules across parameters (``from`` after ``to``; ``page`` x
  ``per_page`` past the 1,000-result depth; more than 32 words within 500 characters);
- negative mode leaves out empty values: the API reads ``?sort=`` or ``?to=`` as "not
  given" (the HTML form sends empty fields), which the description does not say.

Bounded: at most MAX_EXAMPLES requests per operation and mode.

schemathesis' pytest loader (``schemathesis.pytest.from_fixture``) fails under pytest 9
(it sets ``node._nodeid``, which pytest 9 removed), so the strategies are used directly.
"""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from searchsvc import create_app

from conftest import BLOG, close_index

MAX_EXAMPLES = 50
OPERATIONS = ["/api/search", "/api/suggest", "/api/posts/{id}/related", "/healthz", "/api/insights"]
#: Operations with parameters that can be invalid (an id or no parameter at all cannot be).
WITH_INVALID_INPUT = ["/api/search", "/api/suggest", "/api/insights"]
TOKEN = "schemathesis-admin-token"
#: The admin operation is called with its token (schemathesis does not make one up).
CALL_OPTIONS = {"/api/insights": {"headers": {"Authorization": f"Bearer {TOKEN}"}}}


@pytest.fixture(scope="module")
def api_schema(blog_index_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("schemathesis")
    index_dir = root / "index"
    shutil.copytree(blog_index_template, index_dir, symlinks=True)
    app = create_app({"TESTING": True, "content_dir": BLOG, "index_dir": index_dir, "admin_token": TOKEN,
                      "analytics_db": root / "analytics.sqlite3"})
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    close_index(app.extensions["searchsvc.index"])


def _blank(value) -> bool:
    """Whether a generated value goes out as a blank `?name=` (or has one among its items),
    which the API, stripping what it reads (Python's whitespace includes controls such as
    \\x1d), takes as "not given"."""
    if isinstance(value, (list, tuple)):
        return not value or any(_blank(v) for v in value)
    if isinstance(value, dict):
        return not value
    return not str(value).strip()


def run(operation, mode, **call_options):
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        if mode is GenerationMode.NEGATIVE:
            assume(not any(_blank(value) for value in (case.query or {}).values()))
        response = case.call_and_validate(**call_options)
        assert "Traceback" not in response.text

    check()


def test_the_description_lists_every_public_operation(api_schema):
    paths = sorted(result.ok().path for result in api_schema.get_all_operations())
    assert paths == sorted([*OPERATIONS, "/api/events"])


@pytest.mark.parametrize("path", OPERATIONS)
def test_valid_requests_get_documented_responses(api_schema, path):
    run(api_schema[path]["GET"], GenerationMode.POSITIVE, excluded_checks=[positive_data_acceptance],
        **CALL_OPTIONS.get(path, {}))


@pytest.mark.parametrize("path", WITH_INVALID_INPUT)
def test_invalid_requests_are_refused_with_documented_errors(api_schema, path):
    run(api_schema[path]["GET"], GenerationMode.NEGATIVE, **CALL_OPTIONS.get(path, {}))


def test_events_as_described_are_recorded_and_others_refused(api_schema):
    events = api_schema["/api/events"]["POST"]
    # An event's body may have at most 4 KB, a rule on its bytes the description cannot state.
    run(events, GenerationMode.POSITIVE, excluded_checks=[positive_data_acceptance])
    run(events, GenerationMode.NEGATIVE)
