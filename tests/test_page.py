"""GET /: a GET search form; results rendered on the server, so it works without JavaScript."""

import re

import pytest


def html(response):
    return response.get_data(as_text=True)


def test_empty_page_has_a_get_form_with_q(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = html(response)
    form = re.search(r"<form\b[^>]*>", page).group(0)
    assert re.search(r'method="get"', form, re.IGNORECASE)
    assert re.search(r'<input\b[^>]*\bname="q"', page)
    assert '<ol class="results">' not in page


def test_results_are_rendered_on_the_server(client):
    page = html(client.get("/?q=server+actions"))
    assert 'href="/blog/nextjs_server_actions_post"' in page
    assert "Next.js <mark>Server</mark> <mark>Actions</mark> in Practice" in page
    assert "<mark>Server</mark> <mark>Actions</mark> let a form call" in page


def test_query_is_kept_in_the_search_box(client):
    assert re.search(r'name="q"[^>]*value="server actions"|value="server actions"[^>]*name="q"', html(client.get("/?q=server+actions")))


def test_no_match_says_so(client):
    page = html(client.get("/?q=qwxzptlk"))
    assert "No posts match" in page
    assert "qwxzptlk" in page


@pytest.mark.parametrize(
    "q", ["<script>alert(1)</script>", '"><script>alert(1)</script>', "<img src=x onerror=alert(1)> comparator"]
)
def test_query_is_echoed_escaped(client, q):
    page = html(client.get("/", query_string={"q": q}))
    # The page's only script is its own widget; nothing from the query became an element.
    assert re.findall(r"<script\b[^>]*>", page.lower()) == ['<script src="/widget.js" defer>']
    assert "<img" not in page.lower()
    assert "&lt;" in page


def test_pagination_links_when_more_than_one_page(client):
    first = html(client.get("/?q=python&per_page=1"))
    assert re.search(r'<a rel="next" href="[^"]*page=2', first)
    assert 'rel="prev"' not in first
    second = html(client.get("/?q=python&per_page=1&page=2"))
    assert re.search(r'<a rel="prev" href="[^"]*page=1', second)
    assert 'rel="next"' not in second


def test_pagination_links_keep_the_query(client):
    first = html(client.get("/?q=python&per_page=1"))
    link = re.search(r'<a rel="next" href="([^"]*)"', first).group(1).replace("&amp;", "&")
    assert "q=python" in link and "per_page=1" in link


def test_no_pagination_for_one_page(client):
    assert 'rel="next"' not in html(client.get("/?q=server+actions"))


def test_second_page_shows_the_other_result(client):
    first = html(client.get("/?q=python&per_page=1"))
    second = html(client.get("/?q=python&per_page=1&page=2"))
    posts = {"/blog/python_packaging_post", "/blog/python_testing_post"}
    shown_first = {p for p in posts if f'href="{p}"' in first}
    shown_second = {p for p in posts if f'href="{p}"' in second}
    assert len(shown_first) == len(shown_second) == 1
    assert shown_first != shown_second


def test_tag_links_filter(client):
    page = html(client.get("/?q=python"))
    link = re.search(r'href="([^"]*tag=Testing[^"]*)"', page).group(1).replace("&amp;", "&")
    filtered = html(client.get("/" + link))
    assert 'href="/blog/python_testing_post"' in filtered
    assert 'href="/blog/python_packaging_post"' not in filtered


def test_bad_parameter_is_a_page_naming_it(client):
    response = client.get("/?q=python&page=abc")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "page parameter" in html(response)
    assert "Traceback" not in html(response)


def test_no_index_is_a_page_saying_to_reindex(make_app, tmp_path):
    response = make_app(index_dir=tmp_path / "index").test_client().get("/?q=python")
    assert response.status_code == 503
    assert "reindex" in html(response)
    assert "Traceback" not in html(response)


def test_unknown_page_is_404(client):
    assert client.get("/no-such-page").status_code == 404


def test_stylesheet_is_served(client):
    response = client.get("/static/search.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    response.close()


def test_posts_missing_one_word_are_counted_apart_and_said_so(make_blog, build_index, make_app):
    settings, _ = build_index(make_blog({
        "all.md": "---\ntitle: Notes\n---\n\nalpha beta gamma here.\n",
        "most.md": "---\ntitle: Other\n---\n\nalpha beta here.\n",
    }))
    client = make_app(content_dir=settings.content_dir, index_dir=settings.index_dir).test_client()
    page = html(client.get("/?q=alpha+beta+gamma"))
    assert "1 post matches “alpha beta gamma”." in page
    assert "Below them, 1 more with all of the words but one." in page
    assert page.count('class="ssw-result ssw-fewer"') == 1


def test_a_search_out_of_time_says_so_not_that_nothing_matches(make_app, blog_dirs):
    content_dir, index_dir = blog_dirs
    client = make_app(content_dir=content_dir, index_dir=index_dir, query_time_limit=0).test_client()
    page = html(client.get('/?q="server actions"+form'))
    assert "time limit" in page
    assert "Try other words" not in page
