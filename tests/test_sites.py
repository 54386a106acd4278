"""A site's root as the content folder: the generator recognised, its posts read where it
reads them, each result's URL where it publishes the post.

The tests marked ``generator`` build tiny sites with the real generators (Debian's hugo and
jekyll, npm's @11ty/eleventy and hexo: ``make test`` installs them) and check that every indexed
post's URL exists in the generated output."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from searchsvc.config import Settings, SettingsError
from searchsvc.indexer import ReindexError, reindex
from searchsvc.query import SearchRequest
from searchsvc.sites import detect, hugo_urlize

REPO = Path(__file__).resolve().parent.parent


def write(root: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def post(title: str, **meta) -> str:
    lines = [f"title: {json.dumps(title)}", *(f"{k}: {json.dumps(v)}" for k, v in meta.items())]
    return "---\n" + "\n".join(lines) + "\n---\n\nSome text of " + title + ".\n"


def index(root: Path, tmp_path: Path, **settings):
    summary = reindex(Settings(content_dir=root, index_dir=tmp_path / "index", **settings))
    posts = json.loads((tmp_path / "index" / "CURRENT" / "posts.json").read_text())
    return summary, {p: e["url"] for p, e in posts.items() if not e.get("hidden")}


# ---------------------------------------------------------------------------
# Jekyll

JEKYLL = {
    "_config.yml": "title: Site\npermalink: /news/:year/:month/:day/:title/\nbaseurl: /site\n"
                   "collections:\n  recipes:\n    output: true\n    permalink: /r/:path/\n  notes:\n    output: false\n",
    "_posts/2015-10-26-jekyll-3-0-released.md": post("Jekyll 3.0 Released", categories=["Release"]),
    "_posts/2024-4-9-loose-date.md": post("Loose", date="2024-4-09"),
    "blog/_posts/2023-01-29-in-a-folder.md": post("Folder", date="2023-01-29 18:30:22 -0800"),
    "_posts/2099-01-01-not-yet.md": post("Future"),
    "_posts/no-date-in-name.md": post("Rejected"),
    "_posts/2020-01-01-unpublished.md": post("Unpublished", published=False),
    "_drafts/work-in-progress.md": post("Draft"),
    "_recipes/bread.md": post("Bread"),
    "_notes/private.md": post("Private"),
    "about.md": post("About"),
    "README.md": "# Read me\n",
}


def test_jekyll_posts_are_read_where_jekyll_reads_them(tmp_path):
    summary, urls = index(write(tmp_path / "site", JEKYLL), tmp_path)
    assert summary.site["generator"] == "jekyll" and "_config.yml" in summary.site["reason"]
    assert urls == {
        "_posts/2015-10-26-jekyll-3-0-released.md": "/site/news/2015/10/26/jekyll-3-0-released/",
        "_posts/2024-4-9-loose-date.md": "/site/news/2024/04/09/loose-date/",
        "blog/_posts/2023-01-29-in-a-folder.md": "/site/news/2023/01/30/in-a-folder/",  # 18:30 -0800 is the 30th UTC
        "_recipes/bread.md": "/site/r/bread/",
    }
    hidden = {h.path: h.reason for h in summary.hidden}
    assert "future" in hidden["_posts/2099-01-01-not-yet.md"]
    assert {s.path: s.reason for s in summary.skipped} == {
        "_posts/no-date-in-name.md": "is in _posts but not named YYYY-MM-DD-title.md, so Jekyll does not publish it"}
    assert hidden["_posts/2020-01-01-unpublished.md"] == "published: false"


@pytest.mark.parametrize("style, url", [
    ("date", "/release/2015/10/26/jekyll-3-0-released.html"),
    ("pretty", "/release/2015/10/26/jekyll-3-0-released/"),
    ("ordinal", "/release/2015/299/jekyll-3-0-released.html"),
    ("none", "/release/jekyll-3-0-released.html"),
    ("/:categories/:i_month/:title:output_ext", "/release/10/jekyll-3-0-released.html"),
])
def test_jekyll_permalink_styles(tmp_path, style, url):
    site = write(tmp_path / "site", {
        "_config.yml": f"permalink: {style}\n",
        "_posts/2015-10-26-jekyll-3-0-released.md": post("Jekyll 3.0 Released", categories=["Release"]),
    })
    assert index(site, tmp_path)[1] == {"_posts/2015-10-26-jekyll-3-0-released.md": url}


def test_jekyll_front_matter_defaults_give_permalinks(tmp_path):
    site = write(tmp_path / "site", {
        "_config.yml": "defaults:\n  - scope: {path: \"\", type: posts}\n    values: {permalink: /blog/:title/}\n"
                       "  - scope: {path: \"archive\", type: posts}\n    values: {permalink: /old/:year/:title/}\n",
        "_posts/2020-02-02-new.md": post("New"),
        "archive/_posts/2010-01-01-old.md": post("Old"),
    })
    assert index(site, tmp_path)[1] == {"_posts/2020-02-02-new.md": "/blog/new/",
                                        "archive/_posts/2010-01-01-old.md": "/old/2010/old/"}


def test_jekyll_reads_dates_in_the_sites_time_zone(tmp_path):
    site = write(tmp_path / "site", {
        "_config.yml": "permalink: /:year/:month/:day/:title/\ntimezone: America/Los_Angeles\n",
        "_posts/2023-01-29-late.md": post("Late", date="2023-01-29 22:30:00"),
    })
    assert index(site, tmp_path)[1] == {"_posts/2023-01-29-late.md": "/2023/01/29/late/"}


def test_an_unknown_placeholder_is_reported_and_kept(tmp_path):
    site = write(tmp_path / "site", {
        "_config.yml": "permalink: /:year/:nonsense/:title/\n",
        "_posts/2015-10-26-x.md": post("X"),
    })
    summary, urls = index(site, tmp_path)
    assert urls == {"_posts/2015-10-26-x.md": "/2015/:nonsense/x/"}
    assert any(":nonsense" in p for p in summary.site["problems"])


def test_authors_by_key_come_from_the_sites_data(tmp_path, open_index):
    from searchsvc.search import SearchRequest

    site = write(tmp_path / "site", {
        "_config.yml": "title: x\n",
        "_data/authors.yml": "ann:\n  name: Ann Bell\n  title: Editor\n",
        "_posts/2020-01-01-by-key.md": post("By key", author="ann"),
    })
    index(site, tmp_path)
    [hit] = open_index(tmp_path / "index").search(SearchRequest(q="key")).results
    assert hit.author == "Ann Bell" and hit.authors == ({"name": "Ann Bell", "role": "Editor"},)


# ---------------------------------------------------------------------------
# Hugo

HUGO = {
    "hugo.toml": 'baseURL = "https://example.org/"\ntitle = "x"\n[permalinks]\n  posts = "/:year/:month/:slug/"\n',
    "content/posts/release.md": post("Hugo 0.111.3 Released: What's New?", date="2024-01-15"),
    "content/posts/symbols.md": post("C++ & Rust: the 10x/2 guide (v1.2)", date="2024-01-16"),
    "content/posts/bundle/index.md": post("Bundle", date="2023-05-02", slug="my-bundle"),
    "content/posts/bundle/resource.md": post("A resource of the bundle"),
    "content/posts/_index.md": post("The list of posts"),
    "content/notes/A-Note.md": post("A Note", date="2022-02-02"),
    "content/notes/draft.md": post("Draft", draft=True),
    "content/notes/future.md": post("Future", date="2099-01-01"),
    "content/notes/expired.md": post("Expired", date="2020-01-01", expiryDate="2021-01-01T00:00:00Z"),
    "content/notes/custom.md": post("Custom", url="/elsewhere/custom/"),
    "README.md": "# Read me\n",
}


def test_hugo_pages_and_their_urls(tmp_path):
    summary, urls = index(write(tmp_path / "site", HUGO), tmp_path)
    assert summary.site["generator"] == "hugo"
    assert urls == {
        "content/posts/release.md": "/2024/01/hugo-0.111.3-released-whats-new/",
        "content/posts/symbols.md": "/2024/01/c-rust-the-10x/2-guide-v1.2/",
        "content/posts/bundle/index.md": "/2023/05/my-bundle/",
        "content/notes/A-Note.md": "/notes/a-note/",
        "content/notes/custom.md": "/elsewhere/custom/",
    }
    hidden = {h.path: h.reason for h in summary.hidden}
    assert set(hidden) == {"content/notes/draft.md", "content/notes/future.md", "content/notes/expired.md"}


def test_hugo_ugly_urls_and_a_base_path(tmp_path):
    site = write(tmp_path / "site", {
        "config.toml": 'baseURL = "https://example.org/docs/"\nuglyURLs = true\n',
        "content/posts/first.md": post("First"),
    })
    assert index(site, tmp_path)[1] == {"content/posts/first.md": "/docs/posts/first.html"}


def test_hugo_urlize_keeps_dots():
    assert hugo_urlize("Version 1.2.3 is out!") == "version-1.2.3-is-out"


def test_hugo_languages_from_file_names(tmp_path):
    site = write(tmp_path / "site", {
        "hugo.toml": 'defaultContentLanguage = "en"\n[languages.en]\nweight = 1\n[languages.fr]\nweight = 2\n',
        "content/posts/hello.md": post("Hello"),
        "content/posts/hello.fr.md": post("Bonjour"),
    })
    summary, urls = index(site, tmp_path)
    assert urls == {"content/posts/hello.md": "/posts/hello/", "content/posts/hello.fr.md": "/fr/posts/hello/"}
    assert summary.languages == {"en": 1, "fr": 1}  # the languages the config declares


# ---------------------------------------------------------------------------
# The others


def test_zola(tmp_path):
    site = write(tmp_path / "site", {
        "config.toml": 'base_url = "https://example.org"\n',
        "content/blog/_index.md": "+++\ntitle = \"Blog\"\n+++\n",
        "content/blog/2021-03-04-first-post.md": "+++\ntitle = \"First\"\n+++\nText.\n",
        "content/blog/moved.md": "+++\ntitle = \"Moved\"\npath = \"somewhere/else\"\n+++\nText.\n",
    })
    summary, urls = index(site, tmp_path)
    assert summary.site["generator"] == "zola"
    assert urls == {"content/blog/2021-03-04-first-post.md": "/blog/first-post/",
                    "content/blog/moved.md": "/somewhere/else/"}


def test_docusaurus(tmp_path):
    site = write(tmp_path / "site", {
        "docusaurus.config.js": "module.exports = { baseUrl: '/docs/', presets: [['classic', "
                                "{ blog: { routeBasePath: 'news' } }]], i18n: { defaultLocale: 'fr' } };\n",
        "blog/2019-05-28-first-blog-post.md": post("First", authors=["jo"]),
        "blog/2021-08-01-folder/index.md": post("Folder"),
        "blog/with-slug.md": post("Slugged", slug="/custom"),
        "blog/authors.yml": "jo:\n  name: Jo Doe\n  title: Maintainer\n",
        "docs/intro.md": post("Docs are not posts"),
        "i18n/en/docusaurus-plugin-content-blog/2019-05-28-first-blog-post.md": post("First, in English"),
    })
    summary, urls = index(site, tmp_path)
    assert urls == {
        "blog/2019-05-28-first-blog-post.md": "/docs/news/2019/05/28/first-blog-post",
        "blog/2021-08-01-folder/index.md": "/docs/news/2021/08/01/folder",
        "blog/with-slug.md": "/docs/news/custom",
        "i18n/en/docusaurus-plugin-content-blog/2019-05-28-first-blog-post.md":
            "/docs/en/news/2019/05/28/first-blog-post",
    }
    assert summary.languages == {"en": 1, "fr": 3}


HEXO = {
    "_config.yml": "title: Blog\nlanguage: [zh-CN, en]\ntimezone: Asia/Shanghai\nurl: https://example.com/blog\n"
                   "root: /blog/\npermalink: :year/:month/:day/:title/\nnew_post_name: :year-:month-:day-:title.md\n",
    "package.json": '{"name": "blog", "private": true, "hexo": {"version": "7.3.0"}, '
                    '"dependencies": {"hexo": "^7.0.0", "hexo-renderer-marked": "*"}}',
    "source/_posts/2024-01-15-hello-world.md": post("你好，世界", date="2024-01-15 10:00:00", tags=["入门"]),
    "source/_posts/notes/deep.md": post("Deep", date="2023-05-06 07:08:09", categories=[["Tech", "Web Dev"]]),
    "source/_posts/custom.md": post("Custom", date="2022-01-01 12:00:00", permalink="custom/path/"),
    "source/_posts/hidden.md": post("Hidden", date="2022-01-02 12:00:00", published=False),
    "source/_drafts/draft.md": post("Draft"),
    "source/about/index.md": post("About", date="2022-01-01 12:00:00"),
}


def test_hexo(tmp_path):
    # _config.yml as Jekyll's, told apart by package.json.
    site = write(tmp_path / "site", HEXO)
    summary, urls = index(site, tmp_path)
    assert summary.site["generator"] == "hexo"
    assert urls == {
        "source/_posts/2024-01-15-hello-world.md": "/blog/2024/01/15/hello-world/",
        "source/_posts/notes/deep.md": "/blog/2023/05/06/notes-deep/",  # in the site's time zone
        "source/_posts/custom.md": "/blog/custom/path/",
    }
    assert summary.languages == {"zh": 3}
    assert [s.path for s in summary.hidden] == ["source/_posts/hidden.md"]


def test_hexo_categories_in_a_hierarchy_are_tags(tmp_path, open_index):
    site = write(tmp_path / "site", HEXO)
    index(site, tmp_path)
    found = open_index(tmp_path / "index").search(SearchRequest(q="deep"))
    assert found.results[0].tags == ("Tech", "Web Dev")


@pytest.mark.parametrize("permalink, url", [
    (":category/:title/", "/Tech/Web-Dev/notes/deep/"),  # (new_post_name :title.md: the path as it is)
    (":year/:i_month/:i_day/:name.html", "/2023/5/6/deep.html"),
    ("posts/:post_title/", "/posts/deep/"),
])
def test_hexo_permalink_placeholders(tmp_path, permalink, url):
    site = write(tmp_path / "site", {**HEXO, "_config.yml": f"timezone: Asia/Shanghai\npermalink: {permalink}\n"})
    assert index(site, tmp_path)[1]["source/_posts/notes/deep.md"] == url


def test_a_jekyll_site_with_a_package_json_stays_jekyll(tmp_path):
    site = write(tmp_path / "site", {"_config.yml": "title: Site\n", "package.json": '{"devDependencies": {"sass": "1"}}',
                                     "_posts/2015-10-26-released.md": post("Released")})
    assert detect(site).generator == "jekyll"


PELICAN = {
    "pelicanconf.py": "AUTHOR = 'Me'\nSITEURL = 'https://example.com/blog'\nPATH = 'content'\nTIMEZONE = 'Europe/Paris'\n"
                      "DEFAULT_LANG = 'fr'\nARTICLE_URL = 'posts/{date:%Y}/{date:%m}/{slug}/'\n"
                      "ARTICLE_SAVE_AS = ARTICLE_URL + 'index.html'\n",
    "content/super.md": "Title: Mon super titre à moi\nDate: 2010-12-03 10:20\nTags: pelican\n\nText.\n",
    "content/tech/second.md": "Title: Second Post\nDate: 2011-01-05\nSlug: the-second\n\nSecond.\n",
    "content/draft.md": "Title: Draft one\nDate: 2012-01-05\nStatus: draft\n\nDraft.\n",
    "content/pages/about.md": "Title: About\n\nAbout me.\n",
}


def test_pelican(tmp_path):
    # The URLs Pelican 4.12 wrote for this site (checked by hand: it is not a test dependency).
    site = write(tmp_path / "site", PELICAN)
    summary, urls = index(site, tmp_path)
    assert summary.site["generator"] == "pelican"
    assert urls == {"content/super.md": "/blog/posts/2010/12/mon-super-titre-a-moi/",
                    "content/tech/second.md": "/blog/posts/2011/01/the-second/"}
    assert summary.languages == {"fr": 2}
    assert [s.path for s in summary.hidden] == ["content/draft.md"]


@pytest.mark.parametrize("article_url, url", [
    (None, "/tech/second-post.html"),  # Pelican's default, {slug}.html; the category is the folder
    ("'{category}/{slug}.html'", "/tech/tech/second-post.html"),
    ("'{author}/{lang}/{date:%Y-%m-%d}/{slug}/'", "/tech/me/en/2011-01-05/second-post/"),
])
def test_pelican_article_url(tmp_path, article_url, url):
    config = "AUTHOR = 'Me'\nPATH = 'content'\nSITEURL = '/tech'\n"
    if article_url:
        config += f"ARTICLE_URL = {article_url}\n"
    site = write(tmp_path / "site", {"pelicanconf.py": config,
                                     "content/tech/second.md": "Title: Second Post\nDate: 2011-01-05\n\nText.\n"})
    assert index(site, tmp_path)[1] == {"content/tech/second.md": url}


def test_gatsby(tmp_path):
    # gatsby-starter-blog: content/blog/<slug>/index.md at /<slug>/ (createFilePath).
    site = write(tmp_path / "site", {
        "gatsby-config.js": 'module.exports = { pathPrefix: "/blog", siteMetadata: { title: "Blog" } };\n',
        "content/blog/hello-world/index.md": post("Hello World", date="2015-05-01T22:12:03.284Z"),
        "content/blog/my-second-post.md": post("My Second Post!"),
        "src/pages/about.md": post("About"),
    })
    summary, urls = index(site, tmp_path)
    assert summary.site["generator"] == "gatsby"
    assert urls == {"content/blog/hello-world/index.md": "/blog/hello-world/",
                    "content/blog/my-second-post.md": "/blog/my-second-post/"}


def test_javascript_settings_that_are_not_literals_are_reported(tmp_path):
    site = write(tmp_path / "site", {
        "docusaurus.config.js": "const base = process.env.BASE;\nmodule.exports = { baseUrl: base };\n",
        "blog/post.md": post("Post"),
    })
    summary, urls = index(site, tmp_path)
    assert urls == {"blog/post.md": "/blog/post"}
    assert summary.site["problems"] == ["docusaurus.config.js: baseUrl is not written as a plain string; using '/'"]


def test_astro(tmp_path):
    site = write(tmp_path / "site", {
        "astro.config.mjs": "export default defineConfig({ base: '/site' });\n",
        "src/content/blog/first-post.md": post("First"),
        "src/content/blog/nested/index.md": post("Nested"),
        "src/pages/about.md": post("Not a post"),
    })
    assert index(site, tmp_path)[1] == {
        "src/content/blog/first-post.md": "/site/blog/first-post/",
        "src/content/blog/nested/index.md": "/site/blog/nested/",
    }


def test_mkdocs_blog(tmp_path):
    site = write(tmp_path / "site", {
        "mkdocs.yml": "site_name: x\nplugins:\n  - blog\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
                      "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        "docs/blog/posts/hello.md": post("Hello World", date="2024-01-31"),
        "docs/index.md": post("Not a post"),
    })
    assert index(site, tmp_path)[1] == {"docs/blog/posts/hello.md": "/blog/2024/01/31/hello-world/"}


# ---------------------------------------------------------------------------
# Choosing, forcing, failing


def test_a_plain_folder_stays_a_plain_folder(tmp_path):
    site = write(tmp_path / "site", {"a.md": post("A")})
    summary, urls = index(site, tmp_path)
    assert summary.site["generator"] == "none" and urls == {"a.md": "/blog/a"}


def test_the_generator_can_be_forced_or_turned_off(tmp_path):
    site = write(tmp_path / "site", {**JEKYLL})
    assert detect(site, "none").generator == "none"
    assert detect(site, "hugo").reason == "SEARCHSVC_GENERATOR=hugo"
    with pytest.raises(SettingsError, match="SEARCHSVC_GENERATOR"):
        Settings(generator="wordpress")


def test_a_config_that_cannot_be_parsed_stops_the_reindex_and_keeps_the_index(tmp_path):
    site = write(tmp_path / "site", {**JEKYLL})
    index(site, tmp_path)
    (site / "_config.yml").write_text("title: [unclosed\npermalink: date\n")
    with pytest.raises(ReindexError, match=r"_config.yml, line \d+"):
        reindex(Settings(content_dir=site, index_dir=tmp_path / "index"))
    assert (tmp_path / "index" / "CURRENT").exists()


# ---------------------------------------------------------------------------
# The real generators


def _tool(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in (REPO / ".venv" / "node" / "node_modules" / ".bin" / name,) if p.exists()), None)
    if found is None:
        pytest.skip(f"{name} is not installed here (make test installs it: apt for hugo and jekyll, npm for eleventy and hexo)")
    return found


def _published(output: Path) -> set[str]:
    """The URL paths a generated site serves (a folder's index.html is the folder)."""
    out = set()
    for path in output.rglob("*.html"):
        rel = "/" + path.relative_to(output).as_posix()
        out.add(rel[: -len("index.html")] if rel.endswith("/index.html") else rel)
    return out


def _check_urls(urls: dict[str, str], output: Path, prefix: str = "") -> None:
    published = _published(output)
    for relpath, url in urls.items():
        assert url.startswith(prefix), (relpath, url)
        assert url[len(prefix):] in published, f"{relpath}: {url} is not in the site ({sorted(published)})"


def test_every_url_exists_in_the_site_jekyll_builds(tmp_path):
    jekyll = _tool("jekyll")
    site = write(tmp_path / "site", {k: v for k, v in JEKYLL.items()})
    subprocess.run([jekyll, "build", "--quiet", "-s", str(site), "-d", str(tmp_path / "out")], check=True,
                   capture_output=True, timeout=120)
    _check_urls(index(site, tmp_path)[1], tmp_path / "out", prefix="/site")


def test_every_url_exists_in_the_site_hugo_builds(tmp_path):
    hugo = _tool("hugo")
    site = write(tmp_path / "site", {**HUGO, "layouts/_default/single.html": "{{ .Content }}",
                                      "layouts/_default/list.html": "{{ .Content }}"})
    subprocess.run([hugo, "--quiet", "-s", str(site), "-d", str(tmp_path / "out")], check=True,
                   capture_output=True, timeout=120)
    _check_urls(index(site, tmp_path)[1], tmp_path / "out")


def test_every_url_exists_in_the_site_eleventy_builds(tmp_path):
    eleventy = _tool("eleventy")
    site = write(tmp_path / "site", {
        "eleventy.config.mjs": 'export default function () { return { pathPrefix: "/blog/", dir: { input: "src" } }; }\n',
        "src/posts/hello-world.md": post("Hello World"),
        "src/posts/foo/foo.md": post("Foo"),
        "src/posts/custom.md": post("Custom", permalink="/custom/path/"),
        "src/posts/templated.md": post("Templated Title", permalink="/t/{{ page.fileSlug }}/"),
        "src/index.md": post("Home"),
        "src/notes/notes.json": '{"permalink": "/n/{{ title | slugify }}/"}',
        "src/notes/2024-01-02-first-note.md": post("First Note"),
    })
    # From the site's root, as its owner runs it: eleventy.config.mjs is found there.
    subprocess.run([eleventy, "--quiet", f"--output={tmp_path / 'out'}"], check=True, capture_output=True,
                   timeout=120, cwd=site)
    summary, urls = index(site, tmp_path)
    assert summary.site["generator"] == "eleventy"
    assert urls["src/posts/foo/foo.md"] == "/blog/posts/foo/"
    assert urls["src/posts/templated.md"] == "/blog/t/templated/"
    assert urls["src/notes/2024-01-02-first-note.md"] == "/blog/n/first-note/"
    _check_urls(urls, tmp_path / "out", prefix="/blog")


def test_every_url_exists_in_the_site_hexo_builds(tmp_path):
    hexo = _tool("hexo")
    site = write(tmp_path / "site", {**HEXO, "_config.yml": HEXO["_config.yml"] + f"public_dir: {tmp_path / 'out'}\n"})
    # Hexo loads itself and the plugins package.json names from the site's node_modules; it
    # writes a post's date in the machine's time zone, which is the site's where its owner builds it.
    modules = Path(hexo).parent.parent  # node_modules/.bin/hexo
    if not (modules / "hexo-renderer-marked").is_dir():
        pytest.skip(f"hexo-renderer-marked is not beside {hexo} (make test installs both)")
    (site / "node_modules").symlink_to(modules)
    subprocess.run([hexo, "generate", "--silent"], check=True, capture_output=True, timeout=120, cwd=site,
                   env={**os.environ, "TZ": "Asia/Shanghai"})
    summary, urls = index(site, tmp_path)
    assert summary.site["generator"] == "hexo"
    _check_urls(urls, tmp_path / "out", prefix="/blog")
    assert "/about/" in _published(tmp_path / "out")  # a page: published, and not a post


def test_a_plain_folders_url_template_has_the_posts_date_title_section_and_language(tmp_path):
    site = write(tmp_path / "site", {"notes/2015-10-26-x.md": post("Hello, World!", categories=["A B"], lang="fr")})
    _, urls = index(site, tmp_path, url_template="/{lang}/{year}/{month}/{day}/{title}/")
    assert urls == {"notes/2015-10-26-x.md": "/fr/2015/10/26/hello-world/"}
    _, urls = index(site, tmp_path, url_template="/{section}/{categories}/{filename}.html")
    assert urls == {"notes/2015-10-26-x.md": "/notes/a-b/2015-10-26-x.html"}


def test_an_unknown_url_placeholder_is_a_settings_error():
    with pytest.raises(SettingsError, match=r"\{nope\}"):
        Settings(url_template="/{nope}/{slug}")


def test_hugo_configuration_directory_and_language_folders(tmp_path):
    site = write(tmp_path / "site", {
        "config/_default/hugo.toml": 'defaultContentLanguage = "en"\n',
        "config/_default/permalinks.toml": 'posts = "/:year/:slug/"\n',
        "config/_default/languages.toml": '[en]\ncontentDir = "content/en"\n[fr]\ncontentDir = "content/fr"\n',
        "content/en/posts/hello.md": post("Hello", date="2024-02-03"),
        "content/fr/posts/bonjour.md": post("Bonjour", date="2024-02-03"),
    })
    summary, urls = index(site, tmp_path)
    assert summary.site["generator"] == "hugo"
    assert urls == {"content/en/posts/hello.md": "/2024/hello/", "content/fr/posts/bonjour.md": "/fr/2024/bonjour/"}
    assert summary.languages == {"en": 1, "fr": 1}


def test_jekyll_collections_dir(tmp_path):
    site = write(tmp_path / "site", {
        "_config.yml": "collections_dir: my_collections\npermalink: pretty\n",
        "my_collections/_posts/2020-02-02-inside.md": post("Inside"),
        "_posts/2020-02-02-outside.md": post("Outside"),
    })
    assert index(site, tmp_path)[1] == {"my_collections/_posts/2020-02-02-inside.md": "/2020/02/02/inside/"}


def test_jekyll_source_folder(tmp_path):
    site = write(tmp_path / "site", {
        "_config.yml": "source: docs\npermalink: pretty\n",
        "docs/_posts/2020-02-02-in-source.md": post("In source"),
    })
    assert index(site, tmp_path)[1] == {"docs/_posts/2020-02-02-in-source.md": "/2020/02/02/in-source/"}
