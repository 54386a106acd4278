"""Frontmatter YAML is read by libyaml when PyYAML has it, with the pure loader's results."""

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from searchsvc.posts import _YAMLHandler

YAMLISH = st.lists(
    st.sampled_from(
        ["title", "tags", "date", ":", ": ", "-", "- ", " ", "  ", "\n", "\t", "[", "]", "{", "}", ",", "'", '"', "#",
         "&a", "*a", "!!str", "|", ">", "2024-01-15", "Jan 15, 2024", "1.5", "yes", "null", "~", "é", "服", "\\", "%",
         "@", "`", "?", "\x00", "\x85", "\u2028", "\ufeff"]
    ),
    max_size=40,
).map("".join)


def _outcome(load):
    try:
        return "read", repr(load())
    except yaml.YAMLError as exc:
        return "refused", str(exc)


def _ours(text):
    return _outcome(lambda: _YAMLHandler().load(text))


def _pure(text):
    return _outcome(lambda: yaml.load(text, Loader=yaml.SafeLoader))


def test_frontmatter_is_read_by_libyaml_when_pyyaml_has_it():
    assert _YAMLHandler.loader is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


def test_a_malformed_list_is_reported_as_the_pure_loader_reports_it():
    assert _ours("tags: [a, b\ntitle: x") == _pure("tags: [a, b\ntitle: x")


def test_a_byte_order_mark_inside_is_read_as_the_pure_loader_reads_it():
    assert _ours("title: a\n\ufeffb") == _pure("title: a\n\ufeffb")


def test_a_tab_after_a_value_is_read():
    assert _ours("title: Hello\t\n") == ("read", repr({"title": "Hello"}))


@settings(deadline=None, max_examples=1000)
@given(YAMLISH)
def test_what_the_pure_loader_reads_is_read_the_same(text):
    pure = _pure(text)
    if pure[0] == "read":
        assert _ours(text) == pure
