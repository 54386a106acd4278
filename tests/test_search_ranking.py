"""Ranking over content/: the obvious post comes first."""

import pytest

SERVER_ACTIONS = "nextjs-server-actions"


@pytest.mark.parametrize(
    "q",
    [
        "server actions",
        "Server Actions",
        '"server actions"',
        "useOptimistic",
        "use optimistic",
        "formData",
        "formData.get",
    ],
)
def test_server_actions_post_comes_first(content_search, q):
    response = content_search(q)
    assert response.results, f"{q!r} found nothing"
    assert response.results[0].id == SERVER_ACTIONS


@pytest.mark.parametrize(
    "q, first",
    [
        ("borrow checker", "rust-ownership-borrow-checker"),
        ("readiness probes", "kubernetes-readiness-probes"),
        ("multi-stage builds", "docker-image-size-multi-stage"),
        ("interactive rebase", "guides/git-interactive-rebase-workflow"),
        ("inverted index", "full-text-search-inverted-index"),
    ],
)
def test_title_words_put_their_post_first(content_search, q, first):
    assert content_search(q).results[0].id == first


def test_results_are_in_descending_score_order(content_search):
    scores = [h.score for h in content_search("react", per_page=50).results]
    assert scores == sorted(scores, reverse=True)
