"""Every language a blog is written in: a post's language, stemming and stop words per
language, Chinese, Japanese and Korean found by any piece a reader types."""

import json

import pytest

from searchsvc.config import Settings, SettingsError
from searchsvc.posts import parse_post
from searchsvc.query import SearchRequest


def post(title: str, body: str, **meta) -> str:
    lines = [f"title: {json.dumps(title, ensure_ascii=False)}"]
    lines += [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def ids(response) -> list[str]:
    return [hit.id for hit in response.results]


# ---------------------------------------------------------------------------
# A post's language


def parsed(text: str, relpath: str = "post.md", **settings):
    return parse_post(relpath, text.encode(), Settings(**settings))


@pytest.mark.parametrize("key", ["lang", "language", "locale"])
def test_frontmatter_names_the_language(key):
    assert parsed(post("T", "x", **{key: "fr"})).lang == "fr"


@pytest.mark.parametrize("value, code", [("es-ES", "es"), ("PT_br", "pt"), ("zh-Hant-TW", "zh"), ("DE", "de")])
def test_a_tag_with_a_region_is_its_language(value, code):
    assert parsed(post("T", "x", lang=value)).lang == code


def test_without_one_a_post_is_in_the_sites_language():
    assert parsed(post("T", "x"), language="de").lang == "de"
    assert parsed(post("T", "x")).lang == "en"


def test_an_unknown_code_is_a_warning_naming_the_field_and_the_site_language_is_used():
    p = parsed(post("T", "x", lang="klingon-xx"), language="fr")
    assert p.lang == "fr"
    [warning] = p.warnings
    assert "'lang'" in warning and "klingon-xx" in warning


def test_hugo_style_file_names_and_folders_name_a_declared_language():
    assert parsed(post("T", "x"), "posts/hello.fr.md", languages=("en", "fr")).lang == "fr"
    assert parsed(post("T", "x"), "de/hallo.md", languages=("en", "de")).lang == "de"
    # Not declared: a dotted name is just a name.
    assert parsed(post("T", "x"), "posts/hello.fr.md").lang == "en"


def test_an_unknown_site_language_is_a_settings_error():
    with pytest.raises(SettingsError, match="SEARCHSVC_LANGUAGE"):
        Settings(language="elvish")


def test_the_reindex_reports_the_warning_with_the_file(make_blog, build_index):
    content = make_blog({"a.md": post("A", "text", lang="zz-top"), "b.md": post("B", "text")})
    _, summary = build_index(content)
    assert summary.total == 2 and not summary.skipped
    assert [(w.path, "zz-top" in w.reason) for w in summary.warnings] == [("a.md", True)]


# ---------------------------------------------------------------------------
# Stemming and stop words per language


BLOG = {
    "garten.md": post("Unser Garten", "Die Häuser und die Gärten im Dorf sind alt.", lang="de"),
    "pruebas.md": post("Calidad", "Escribimos pruebas para cada componente.", lang="es"),
    "images.md": post("Performance", "Les images sont chargées à la demande.", lang="fr"),
    "english.md": post("Loading images", "Images are loaded lazily on scroll.", lang="en"),
}


@pytest.mark.parametrize("q, wanted", [
    ("Haus Garten", "garten"),
    ("escribir pruebas", "pruebas"),
    ("charger images", "images"),
    ("chargees", "images"),  # typed without its accents
])
def test_an_inflected_word_finds_its_other_forms(search_blog, q, wanted):
    response = search_blog(BLOG)(q)
    assert ids(response)[0] == wanted
    assert not response.relaxed


def test_a_stop_word_of_the_posts_language_is_never_required(search_blog):
    # "les" is French for "the": no post is required to have it.
    assert ids(search_blog(BLOG)("les chargées"))[0] == "images"


ELIDED = {
    "cdrom.md": post("apt-cdrom", "Utilitaire de gestion des CD d'APT.", lang="fr"),
    "dates.md": post("Dates", "La gestion des dates et des données.", lang="fr"),
    "app.md": post("Démarrer", "Ouvrez l'application, puis le menu.", lang="fr"),
    "english.md": post("Adapt", "How to adapt the plan: adapt and apt.", lang="en"),
}


@pytest.mark.parametrize("q, wanted", [("gestion dapt", "cdrom"), ("lapplication menu", "app")])
def test_a_french_word_typed_without_its_apostrophe_finds_the_word_it_elides(search_blog, q, wanted):
    response = search_blog(ELIDED)(q, langs=("fr",))
    assert ids(response)[0] == wanted
    assert not response.relaxed


def test_a_word_is_read_as_elided_only_in_a_language_that_elides(search_blog):
    # In English "dapt" is no "d'" before "apt": a typo of "adapt".
    assert ids(search_blog(ELIDED)("dapt", langs=("en",))) == ["english"]


TURKISH = {
    "istanbul.md": post("A week in İstanbul", "We walked from the bridge to the market.", lang="en"),
    "ilk.md": post("İLK ADIMLAR", "Kurulumdan sonra yapılacaklar.", lang="tr"),
    "isik.md": post("Işık ve gölge", "Fotoğrafta ışık her şeydir.", lang="tr"),
    "api.md": post("API kullanımı", "LINUX üzerinde FILE_SIZE değişkeni.\n\n```\nFILE_SIZE=10\n```", lang="tr"),
    # The words in its text, lower-case: a post whose title has them must come first.
    "notes.md": post("Notlar", "İlk adımlar, ışık, İstanbul, api ve linux üzerine notlar.", lang="tr"),
}


@pytest.mark.parametrize("q, wanted, title", [
    ("istanbul", "istanbul", "A week in <mark>İstanbul</mark>"),  # İ is i, in English text too
    ("İstanbul", "istanbul", "A week in <mark>İstanbul</mark>"),
    ("ilk adımlar", "ilk", "<mark>İLK</mark> <mark>ADIMLAR</mark>"),  # capitals: İ is i, I is ı
    ("IŞIK", "isik", "<mark>Işık</mark> ve gölge"),  # a query in capitals
    ("ışık", "isik", "<mark>Işık</mark> ve gölge"),
    ("api", "api", "<mark>API</mark> kullanımı"),  # English words in a Turkish post: I and i alike
    ("linux", "api", "API kullanımı"),
    ("file_size", "api", "API kullanımı"),  # code is lower-cased as English
    # Lower-cased elsewhere (Python, JavaScript): İ is i and a combining dot.
    ("i\u0307stanbul", "istanbul", "A week in <mark>İstanbul</mark>"),
    ("i\u0307lk adımlar", "ilk", "<mark>İLK</mark> <mark>ADIMLAR</mark>"),
    ("i\u0307l", "ilk", "<mark>İLK</mark> ADIMLAR"),
])
def test_dotted_and_dotless_i_are_read_as_turkish_writes_them(search_blog, q, wanted, title):
    response = search_blog(TURKISH)(q)
    assert response.results[0].id == wanted
    assert response.results[0].title_html == title
    assert not response.relaxed and response.corrected_query is None


def test_a_lower_cased_capital_i_in_a_post_is_an_i(search_blog):
    search = search_blog({"lower.md": post("Notlar", "i\u0307ki alternatif belirtin", lang="tr"),
                          "other.md": post("Başka", "Bir alternatif daha.", lang="tr")})
    response = search("iki alternatif")
    assert ids(response) == ["lower"]
    assert "<mark>i\u0307ki</mark>" in response.results[0].snippet_html


@pytest.mark.parametrize("q", ["kapali", "KAPALI", "kapalı"])
def test_a_turkish_title_typed_with_i_for_dotless_i_is_the_exact_title(search_blog, q):
    # Readers type "kapali" for "Kapalı" (and capitals lower-case to it): the post titled so
    # comes first, before a longer title whose post has the word more.
    search = search_blog({"kapali.md": post("Kapalı", "Kısa.", lang="tr"),
                          "devre.md": post("Kapalı devre", "Kapalı devre, kapalı sistem, kapalı kapı.", lang="tr")})
    assert ids(search(q))[0] == "kapali"


def test_an_index_built_before_reads_turkish_queries_as_its_posts_were_read():
    # Its filters are unpickled from it without ``dotless``: until the next reindex rebuilds
    # it, its queries keep ı as its posts did.
    from searchsvc.schema import LanguageFilter

    earlier = LanguageFilter()
    del earlier.dotless
    assert earlier.query_word("açıklama", "tr", True) == "açıklama"
    assert LanguageFilter().query_word("açıklama", "tr", True) == "açiklama"


# Words with accents, as completions and corrections give them: stemmed as written, for a
# stemmer reads a word folded otherwise ("sécurité" is ``secur``, "securite" ``securit``;
# Turkish "dosyasının" is ``dosya``, "dosyasinin" ``dosyasi``).
ACCENTS = {
    "secu.md": post("Notes de sécurité", "Chiffrer les disques.", lang="fr"),
    "perf.md": post("Performances", "Mesurer le temps de démarrage.", lang="fr"),
    "dosya.md": post("Yapılandırma dosyasının biçimi", "Satırlar ve yorumlar.", lang="tr"),
}


@pytest.mark.parametrize("q, wanted, corrected", [
    ("sécruité", "secu", "sécurité"),
    ("securtie", "secu", "sécurité"),
    ("odsyasının", "dosya", "dosyasının"),
])
def test_a_typo_in_a_word_with_accents_finds_its_post_and_is_corrected_as_written(search_blog, q, wanted,
                                                                                  corrected):
    response = search_blog(ACCENTS)(q, langs=("fr", "tr"))
    assert ids(response)[:1] == [wanted]
    assert response.corrected_query == corrected


def test_a_word_with_accents_is_suggested_as_written(make_blog, build_index, open_index):
    settings, _ = build_index(make_blog(ACCENTS))
    suggestions = open_index(settings.index_dir).suggest("chiffrer sécu")
    assert "chiffrer sécurité" in [s.text for s in suggestions]


def test_an_unaccented_spelling_most_posts_use_is_kept(make_blog, build_index, open_index):
    # Two posts write "securite", one "sécurité": the spelling most posts use is suggested.
    settings, _ = build_index(make_blog({
        "a.md": post("Securite des comptes", "Texte.", lang="fr"),
        "b.md": post("Securite du reseau", "Texte.", lang="fr"),
        "c.md": post("La sécurité", "Texte.", lang="fr"),
    }))
    suggestions = open_index(settings.index_dir).suggest("texte secu")
    assert "texte securite" in [s.text for s in suggestions]


def test_a_word_with_accents_is_suggested_whole_never_cut_at_an_accent(make_blog, build_index, open_index):
    settings, _ = build_index(make_blog({
        "guia.md": post("Guía de actualización", "Texto corto.", lang="es"),
        "otra.md": post("Otra guía", "Texto corto.", lang="es"),
    }))
    suggested = [s.text for s in open_index(settings.index_dir).suggest("texto actualiz")]
    assert "texto actualización" in suggested
    assert "texto actualizaci" not in suggested


# Letters readers write as two: "oeuvre" for "œuvre", "Strasse" for "Straße".
LIGATURES = {
    "oeuvre.md": post("Mise en œuvre du cache", "Le cœur du système.", lang="fr"),
    "strasse.md": post("Die Straße der Pakete", "Große Dateien.", lang="de"),
    "autre.md": post("Autre chose", "Le cache du système.", lang="fr"),
}


@pytest.mark.parametrize("q, wanted, title", [
    ("mise en oeuvre", "oeuvre", "<mark>Mise</mark> <mark>en</mark> <mark>œuvre</mark> du cache"),
    ("coeur", "oeuvre", "Mise en œuvre du cache"),
    ("Strasse", "strasse", "Die <mark>Straße</mark> der Pakete"),
])
def test_letters_readers_write_as_two_find_the_word(search_blog, q, wanted, title):
    response = search_blog(LIGATURES)(q, langs=("fr", "de"))
    assert ids(response)[:1] == [wanted]
    assert response.results[0].title_html == title


def test_a_title_typed_with_letters_written_as_two_is_the_exact_title(search_blog):
    # As much the exact title as typed with the letter itself (the exact title's bonus).
    search = search_blog(LIGATURES)
    typed, written = (search(q, langs=("fr", "de")).results[0] for q in ("Die Strasse der Pakete", "Die Straße der Pakete"))
    assert typed.id == written.id == "strasse"
    assert typed.score == pytest.approx(written.score)


@pytest.mark.parametrize("q, wanted", [
    ("καλημερα", "greek"), ("καλημέρα", "greek"), ("καλημ", "greek"),  # without the tonos, and being typed
    ("کتاب", "persian"), ("كتاب", "persian"),  # Persian and Arabic kaf
])
def test_letters_typed_otherwise_by_readers_of_greek_and_persian_find_the_word(search_blog, q, wanted):
    search = search_blog({"greek.md": post("Καλημέρα κόσμε", "Πρώτη ανάρτηση.", lang="el"),
                          "persian.md": post("كتاب تازه", "نوشته اول.", lang="fa"),
                          "other.md": post("Other", "Nothing here.", lang="en")})
    assert ids(search(q, langs=("el", "fa")))[:1] == [wanted]


@pytest.mark.parametrize("q", ["کتاب تازه", "كتاب تازه"])
def test_a_persian_title_typed_with_either_kaf_is_the_exact_title(search_blog, q):
    search = search_blog({"persian.md": post("كتاب تازه", "نوشته اول.", lang="fa"),
                          "other.md": post("کتاب", "تازه نیست.", lang="fa")})
    first = search(q, langs=("fa",)).results[0]
    assert first.id == "persian"
    assert first.score == pytest.approx(search("كتاب تازه", langs=("fa",)).results[0].score)


@pytest.mark.parametrize("q, suggestion", [("πρώτη καλημερ", "πρώτη καλημέρα"), ("مقال احم", "مقال أحمد")])
def test_a_word_typed_without_its_tonos_or_hamza_is_suggested_with_it(make_blog, build_index, open_index,
                                                                       q, suggestion):
    settings, _ = build_index(make_blog({"greek.md": post("Καλημέρα κόσμε", "Πρώτη ανάρτηση.", lang="el"),
                                         "arabic.md": post("أحمد والمدرسة", "مقال قصير.", lang="ar")}))
    assert suggestion in [s.text for s in open_index(settings.index_dir).suggest(q)]


def test_a_word_with_a_soft_hyphen_is_one_word(search_blog):
    # "&shy;" marks where a long word may break; the word is found whole, in the text, the
    # title and a query pasted from it.
    search = search_blog({"shy.md": post("Die Paket\u00adverwaltung", "Die Konfigu&shy;ration der Quellen.",
                                         lang="de"),
                          "other.md": post("Andere", "Die Konfiguration.", lang="de")})
    body = search("Konfiguration Quellen", langs=("de",))
    assert ids(body)[:body.with_every_word] == ["shy"]
    assert "<mark>Konfiguration</mark>" in body.results[0].snippet_html
    for q in ("Paketverwaltung", "Paket\u00adverwaltung"):
        assert ids(search(q, langs=("de",))) == ["shy"]


FORMS = {
    "load.md": post("Under load", "The server behaves differently under load.", lang="en"),
    "ports.md": post("Two servers", "A different server, a different port, a different day: different in every way.",
                     lang="en"),
}


def test_an_english_word_as_typed_ranks_its_post_above_other_forms_of_its_stem(search_blog):
    # "differently" and "different" are both ``differ``: the post with the very word first.
    assert ids(search_blog(FORMS)("differently")) == ["load", "ports"]


@pytest.mark.parametrize("name", ["Node.js", "0.4.7"])
def test_a_name_no_stemmer_reads_counts_as_much_as_a_word(search_blog, name):
    # "componentes" is indexed as written and as its stem ``component``; a number or a
    # dotted name is one term: it has the weight of both forms, not half of it.
    search = search_blog({"a.md": post("Componentes", "Texto corto.", lang="es"),
                          "b.md": post(name, "Texto corto.", lang="es"),
                          "c.md": post("Otra", "Nada.", lang="es")})
    scores = {hit.id: hit.score for hit in search(f"componentes {name}", langs=("es",)).results}
    assert scores["a"] == pytest.approx(scores["b"])


def test_an_english_index_built_before_is_served_as_its_posts_were_read(monkeypatch, make_blog, build_index,
                                                                          open_index):
    # Its filters are unpickled from it without ``exact_english``: until the next reindex
    # rebuilds it, its queries ask for the stems it has (phrases too) at their full weight.
    from searchsvc import schema
    from searchsvc.query import exact_forms

    init = schema.LanguageFilter.__init__

    def earlier(self, stops=True):
        init(self, stops)
        del self.exact_english

    monkeypatch.setattr(schema.LanguageFilter, "__init__", earlier)
    index = open_index(build_index(make_blog(FORMS))[0].index_dir)
    search = lambda q: index.search(SearchRequest(q=q))  # noqa: E731
    assert ids(search('"behaves differently"')) == ["load"]
    assert set(ids(search("differently"))) == {"load", "ports"}
    with index.searcher() as (_snap, searcher):
        assert not exact_forms(searcher.schema, ("en",))
        assert exact_forms(searcher.schema, ("fr",))


MARKS = {
    "hindi.md": post("हिन्दी व्याकरण", "संज्ञा और सर्वनाम के नियम।", lang="hi"),
    "river.md": post("नदी का पानी", "हम नदी के किनारे गए।", lang="hi"),
    "arabic.md": post("المَدْرَسَة الجديدة", "افتتحت مدرسة جديدة في المدينة.", lang="ar"),
    "hebrew.md": post("שָׁלוֹם עולם", "מאמר ראשון.", lang="he"),
    "cafe.md": post("A cafe\u0301 in Lyon", "We had coffee.", lang="en"),
}


@pytest.mark.parametrize("q, wanted, title", [
    # Vowel signs and viramas are part of the word, not the ends of three one-letter words.
    ("हिन्दी", "hindi", "<mark>हिन्दी</mark> व्याकरण"),
    ("नदी", "river", "<mark>नदी</mark> का पानी"),
    # Arabic and Hebrew vowel points: found without them, marked with them.
    ("مدرسة", "arabic", "<mark>المَدْرَسَة</mark> الجديدة"),
    ("مَدْرَسَة", "arabic", "<mark>المَدْرَسَة</mark> الجديدة"),
    ("שלום", "hebrew", "<mark>שָׁלוֹם</mark> עולם"),
    # An accent written apart from its letter.
    ("café", "cafe", "A <mark>cafe\u0301</mark> in Lyon"),
    ("cafe", "cafe", "A <mark>cafe\u0301</mark> in Lyon"),
])
def test_combining_marks_are_part_of_their_word(search_blog, q, wanted, title):
    response = search_blog(MARKS)(q)
    assert response.results[0].id == wanted
    assert response.results[0].title_html == title


def test_an_inflected_hindi_word_finds_its_other_forms(search_blog):
    # Stemmed, now that a word with vowel signs is a word: भाषाओं (languages) is भाषा's plural.
    posts = {
        "hindi.md": post("भारत की भाषाओं का इतिहास", "किताबों में लिखा है।", lang="hi"),
        "other.md": post("नदी का पानी", "हम नदी के किनारे गए।", lang="hi"),
    }
    search = search_blog(posts)
    for q in ("भाषा", "किताब"):
        response = search(q)
        assert ids(response) == ["hindi"] and not response.relaxed


THAI = {
    "thai.md": post("เรียนภาษาไทย", "ภาษาไทยง่ายนิดเดียว ถ้าฝึกทุกวัน", lang="th"),
    "food.md": post("อาหารอร่อย", "ต้มยำกุ้งเป็นอาหารไทยที่มีชื่อเสียง", lang="th"),
}


@pytest.mark.parametrize("q, wanted, title", [
    # Thai is written without spaces between words: found by a word inside a run, as CJK is.
    ("ภาษา", "thai", "เรียน<mark>ภาษา</mark>ไทย"),
    ("ต้มยำ", "food", "อาหารอร่อย"),
    ("อาหาร", "food", "<mark>อาหาร</mark>อร่อย"),
])
def test_thai_is_found_by_a_word_inside_a_run(search_blog, q, wanted, title):
    response = search_blog(THAI)(q)
    assert response.results[0].id == wanted
    assert response.results[0].title_html == title


def test_a_query_is_read_in_each_language_of_the_blog(search_blog):
    search = search_blog(BLOG)
    # English stemming finds "loaded"; French stemming finds "chargées".
    assert "english" in ids(search("load"))
    assert ids(search("chargement images")) == [] or "images" in ids(search("charge images"))


def test_lang_filters_and_facets_count_posts_per_language(search_blog):
    search = search_blog(BLOG)
    response = search("images")
    assert response.facets["langs"] == {"en": 1, "fr": 1}
    assert ids(search("images", langs=("fr",))) == ["images"]
    assert set(ids(search("", langs=("fr", "de")))) == {"images", "garten"}
    assert {hit.lang for hit in response.results} == {"en", "fr"}


def test_the_readers_language_comes_first_when_scores_are_close(search_blog):
    search = search_blog({
        "en.md": post("Release notes", "The release brings faster builds.", lang="en"),
        "fr.md": post("Release notes", "La release apporte des builds plus rapides.", lang="fr"),
    })
    assert ids(search("release notes", prefer_lang="fr"))[0] == "fr"
    assert ids(search("release notes", prefer_lang="en"))[0] == "en"


# ---------------------------------------------------------------------------
# Chinese, Japanese, Korean


CJK = {
    "zh.md": post("服务器组件介绍", "我们发布了新的服务器组件。它在服务端运行。", lang="zh"),
    "ja.md": post("状態管理", "コンポーネントの状態を管理する方法を説明します。", lang="ja"),
    "ko.md": post("서버 컴포넌트", "서버에서 렌더링하는 방법을 알아봅니다.", lang="ko"),
    "mixed.md": post("Notes from the meetup", "We talked about 服务器组件 and hooks.", lang="en"),
    "other.md": post("Other", "服务端和客户端。", lang="zh"),
}


@pytest.mark.parametrize("q, wanted", [
    ("服务器", "zh"),     # a word inside a run
    ("组件", "zh"),
    ("状態", "ja"),
    ("管理する", "ja"),
    ("렌더링", "ko"),
    ("meetup 服务器", "mixed"),  # a CJK word in an English post, with an English word
])
def test_a_piece_of_a_run_finds_its_post(search_blog, q, wanted):
    assert wanted in ids(search_blog(CJK)(q))[:5]


def test_a_word_glued_to_latin_letters_is_two_words(search_blog):
    assert "mixed" in ids(search_blog(CJK)("meetup服务器"))


def test_one_character_matches_as_a_prefix(search_blog):
    found = ids(search_blog(CJK)("组"))
    assert "zh" in found and "mixed" in found


def test_highlighting_marks_exactly_the_characters_matched(search_blog):
    response = search_blog(CJK)("服务器")
    hit = next(h for h in response.results if h.id == "zh")
    assert "<mark>服务器</mark>" in hit.snippet_html
    assert "<mark>服务</mark>端" not in hit.snippet_html  # 服务 alone is another word
    assert hit.title_html == "<mark>服务器</mark>组件介绍"


def test_a_pasted_run_is_marked_whole_where_the_post_has_it_whole(search_blog):
    response = search_blog(CJK)("状態を管理する方法")  # several words typed without spaces
    hit = next(h for h in response.results if h.id == "ja")
    assert "<mark>状態を管理する方法</mark>" in hit.snippet_html


def test_a_run_typed_whole_ranks_the_post_that_has_it_whole_first(search_blog):
    # Both posts have every pair of 服务器组件介绍 and the same words; only one has them in a row.
    posts = {
        "whole.md": post("笔记", "今天的服务器组件介绍很长。其他内容。", lang="zh"),
        "apart.md": post("笔记", "服务器很好。组件不错。介绍很长。器组和件介也在。", lang="zh"),
    }
    assert ids(search_blog(posts)("服务器组件介绍"))[0] == "whole"


def test_a_long_korean_word_counts_as_one_word_beside_a_latin_one(search_blog):
    # 인코딩으로 is read as four pairs of characters; together they weigh one word, not four:
    # the title with both words typed beats the title with the Korean word's pairs twice.
    posts = {
        "recode.md": post("man-recode - 설명서 페이지를 다른 인코딩으로 변환합니다",
                          "man-recode는 설명서 페이지를 변환합니다.", lang="ko"),
        "conv.md": post("manconv - 설명서 페이지 인코딩을 다른 인코딩으로 변환합니다",
                        "man-recode(1) 명령도 있습니다.", lang="ko"),
        **{f"other-{i}.md": post(f"글 {i}", f"다른 페이지 {i} 설명서 내용입니다.", lang="ko") for i in range(6)},
    }
    assert ids(search_blog(posts)("recode 인코딩으로"))[0] == "recode"


def test_a_korean_title_with_every_word_but_one_ranks_among_the_posts_with_all(search_blog):
    # "파일을 passwd 패스워드": the title "passwd - 패스워드 파일" lacks 파일을 (its post too);
    # the page that has all three words, two of them only in its text, is not the one named.
    posts = {
        "passwd.md": post("passwd - 패스워드 파일", "사용자 계정 목록입니다.", lang="ko"),
        "vipw.md": post("vipw - 패스워드 파일 편집", "파일을 편집합니다. " + "다른 내용입니다. " * 30
                        + "passwd 그리고 group.", lang="ko"),
        **{f"other-{i}.md": post(f"글 {i}", f"다른 페이지 {i} 설명서 내용입니다.", lang="ko") for i in range(6)},
    }
    response = search_blog(posts)("파일을 passwd 패스워드")
    assert ids(response)[0] == "passwd"
    assert response.with_every_word == 2


def test_a_korean_word_typed_first_with_a_character_left_out_finds_the_post_with_the_word(search_blog):
    # "데이터베이에" for "데이터베이스에" (in the database): every pair of its characters but one
    # ("이에") is in accessdb's page; man's long page has them all, scattered, and every word.
    search = search_blog({
        "accessdb.md": post("accessdb - man-db 데이터베이스 내용을 덤핑합니다",
                            "데이터베이스에 있는 내용을 라이브러리에 맞게 보여 줍니다.", lang="ko"),
        "man.md": post("man - 시스템 설명서", "데이터 파일. 이터널 터베 베이스 이에 라이브러리에 있습니다.", lang="ko"),
        **{f"other-{i}.md": post(f"글 {i}", f"다른 페이지 {i} 설명서 내용입니다.", lang="ko") for i in range(6)},
    })
    response = search("데이터베이에 라이브러리에")
    assert ids(response)[:2] == ["man", "accessdb"]
    assert response.with_every_word == 1
    assert "accessdb" in ids(search("데이터베이에"))


def test_a_korean_word_typed_as_another_counts_only_where_a_post_has_it_whole(search_blog):
    # "정지합니다" (stops) typed for "지정합니다" (sets): no post has both words. The page
    # with "검색" in its text and "정지", "합니다" apart has no more of the words typed than
    # the title with "검색": a word typed is there whole or not at all.
    posts = {
        "manpath.md": post("manpath - 설명서 페이지 검색 경로를 지정합니다", "설명서 페이지를 찾는 경로입니다.", lang="ko"),
        "xz.md": post("xz - 파일을 압축합니다", "검색 결과가 없으면 정지. 파일을 압축합니다.", lang="ko"),
        **{f"other-{i}.md": post(f"글 {i}", f"다른 페이지 {i} 설명서 내용입니다.", lang="ko") for i in range(6)},
    }
    response = search_blog(posts)("검색 정지합니다")
    assert response.relaxed
    assert ids(response)[0] == "manpath"


def test_a_korean_word_typed_as_another_before_a_word_counts_only_where_a_post_has_it_whole(search_blog):
    # The same words the other way round: the first pair of the run typed first ("정지") is
    # no word of its own either.
    posts = {
        "manpath.md": post("manpath - 설명서 페이지 검색 경로를 지정합니다", "설명서 페이지를 찾는 경로입니다.", lang="ko"),
        "xz.md": post("xz - 파일을 압축합니다", "검색 결과가 없으면 정지. 파일을 압축합니다.", lang="ko"),
        **{f"other-{i}.md": post(f"글 {i}", f"다른 페이지 {i} 설명서 내용입니다.", lang="ko") for i in range(6)},
    }
    response = search_blog(posts)("정지합니다 검색")
    assert response.relaxed
    assert ids(response)[0] == "manpath"


def test_a_run_typed_alone_with_a_typo_ranks_the_post_with_more_of_its_pairs_first(search_blog):
    # "状態を菅理する方法" (菅 typed for 管): no post has every pair. The post with the
    # sentence has six of its eight; the title "方法" has one, and "する" in its text.
    posts = {
        "state.md": post("メモ", "コンポーネントの状態を管理する方法を説明します。", lang="ja"),
        "howto.md": post("方法", "ここで説明する。", lang="ja"),
        **{f"other-{i}.md": post(f"記事 {i}", f"別の話題 {i} について。", lang="ja") for i in range(6)},
    }
    response = search_blog(posts)("状態を菅理する方法")
    assert response.relaxed
    assert ids(response)[0] == "state"


def test_a_japanese_word_counts_as_one_word_beside_a_latin_one(search_blog):
    # フック is a phrase of two pairs of characters: it weighs one word, as DOM does.
    posts = {
        "react.md": post("組み込みの React フック",
                         "組み込みのフックの一覧です。組み込みのフックはコンポーネントから使います。DOM も。", lang="ja"),
        "dom.md": post("組み込みの React DOM フック", "ブラウザの DOM。", lang="ja"),
        **{f"other-{i}.md": post(f"記事 {i}", f"React のコンポーネント {i} について。", lang="ja") for i in range(6)},
    }
    assert ids(search_blog(posts)("組み込みの DOM フック"))[0] == "dom"


def test_a_latin_letter_left_in_a_cjk_word_is_not_required(search_blog):
    # 避難bッチ: a key the input method did not convert, in 避難ハッチ.
    posts = {
        "hatch.md": post("避難ハッチ", "ref と DOM を使う避難ハッチの説明です。", lang="ja"),
        "keys.md": post("キーボード", "b キーを押して避難します。", lang="ja"),
        "other.md": post("状態", "コンポーネントの状態。", lang="ja"),
    }
    response = search_blog(posts)("避難bッチ")
    assert ids(response)[0] == "hatch"
    assert not response.relaxed


def test_a_latin_letter_after_cjk_characters_still_counts_where_it_occurs(search_blog):
    posts = {
        "b.md": post("ビタミンB群の話", "ビタミンB群について。", lang="ja"),
        "c.md": post("ビタミンCの話", "ビタミンCについて。ビタミンの話。", lang="ja"),
    }
    assert ids(search_blog(posts)("ビタミンB")) == ["b", "c"]


@pytest.mark.parametrize("q", ["服务器 组件", "服务器组件"])
def test_cjk_words_typed_with_or_without_a_space_between_them_are_one_phrase(search_blog, q):
    # Readers often type a space between Chinese words that the text writes together.
    posts = {
        "together.md": post("服务器组件", "介绍服务器组件。", lang="zh"),
        "apart.md": post("组件和服务器的区别", "组件。服务器。组件和服务器不同。", lang="zh"),
    }
    assert ids(search_blog(posts)(q))[0] == "together"


def test_a_run_read_in_several_languages_finds_the_same_posts(search_blog):
    for langs in (("zh",), ("en", "es", "zh")):
        assert "zh" in ids(search_blog(CJK)("服务器组件", langs=langs))


def test_did_you_mean_never_turns_cjk_into_latin_words(search_blog):
    response = search_blog(CJK)("服务器件组")
    assert response.corrected_query is None


def test_titles_are_suggested_from_any_piece_typed(make_blog, build_index, open_index):
    settings, _ = build_index(make_blog(CJK))
    suggestions = open_index(settings.index_dir).suggest("组件")
    assert "服务器组件介绍" in [s.text for s in suggestions]


# ---------------------------------------------------------------------------
# Any text, any language


from hypothesis import given, settings as hypothesis_settings, strategies as st  # noqa: E402
import html as html_module  # noqa: E402
import re  # noqa: E402

from searchsvc.query import build_query, parse_query  # noqa: E402
from searchsvc.schema import build_schema  # noqa: E402
from searchsvc.snippets import Match, mark  # noqa: E402

SCHEMA = build_schema()
LANGS = ["en", "fr", "de", "es", "tr", "sv", "ru", "ja", "zh", "ko", "pl"]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120) | st.sampled_from(
    ["服务器组件", "Häuser Gärten", "ёлка İstanbul ǅ", "React服务器 と サーバー", "e\u0301te\u0301"])


@hypothesis_settings(max_examples=150, deadline=None)
@given(TEXT, st.sampled_from(LANGS))
def test_analysis_never_raises_and_offsets_fall_inside_the_text(text, lang):
    for fieldname in ("title", "body", "code", "spelling", "author"):
        analyzer = SCHEMA[fieldname].analyzer
        for t in analyzer(text, positions=True, chars=True, mode="index", lang=lang):
            assert 0 <= t.startchar < t.endchar <= len(text)
        list(analyzer(text, mode="query", lang=lang))


VERSION_TEXT = st.builds(
    lambda v, numbers, label: v + ".".join(map(str, numbers)) + label,
    st.sampled_from(["", "v", "V"]), st.lists(st.integers(0, 2030), min_size=2, max_size=5),
    st.sampled_from(["", "-beta", "-rc.1", "+build5", "-2"]))


@hypothesis_settings(max_examples=200, deadline=None)
@given(VERSION_TEXT)
def test_a_version_is_indexed_as_the_versions_it_is_one_of(text):
    # "18.20.7": 18 and 18.20, each where the text has it; never a number from inside it
    # (a label's are its own: "rc.1").
    from searchsvc.schema import _DOTTED_DATE, _expand

    parts = _expand(text)
    number = text.lstrip("vV").split("-")[0].split("+")[0]
    for part, at in parts:
        assert text[at:at + len(part)] == part
    if not _DOTTED_DATE.fullmatch(text):
        versions = {p for p, at in parts if p[:1].isdigit() and at < len(text) - len(text.lstrip("vV")) + len(number)}
        assert versions <= {".".join(number.split(".")[:n]) for n in range(1, number.count(".") + 2)}
        assert number.split(".")[0] in versions


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.sampled_from(["", "É", "G", "Д"]),
       st.text(alphabet=st.characters(categories=("Ll", "Lo", "Lm", "Mn", "Mc"), max_codepoint=0x1FFFF),
               min_size=1, max_size=20))
def test_a_word_of_small_letters_and_marks_in_any_script_is_one_part(capital, rest):
    # Parts are for names ("useState", "formData.get"): "sécurité", "हिन्दी", "e\u0301te\u0301" are words.
    from searchsvc.schema import split_compound

    assert len(split_compound(capital + rest)) <= 1


@hypothesis_settings(max_examples=150, deadline=None)
@given(TEXT | st.sampled_from(["chargées Écoles", "Dosyasının İçeriği", "ёлка"]), st.sampled_from(LANGS))
def test_a_word_is_kept_as_written_where_folding_changes_it(text, lang):
    from searchsvc.languages import fold
    from searchsvc.schema import WRITTEN_SEP

    for t in SCHEMA["written"].analyzer(text, mode="index", lang=lang):
        folded, sep, written = t.text.partition(WRITTEN_SEP)
        assert sep and fold(lang, written) == folded != written


@hypothesis_settings(max_examples=300, deadline=None)
@given(TEXT | st.sampled_from(["The Runs of Node.js", "a1b2c3d4e5 useOptimistic", "chargées Écoles"]),
       st.sampled_from(LANGS), st.booleans())
def test_a_query_is_analysed_word_by_word_as_the_chain_of_filters_analyses_it(text, lang, exact):
    for fieldname in ("title", "headings", "body", "description", "tag_text", "code", "spelling", "author"):
        analyzer = SCHEMA[fieldname].analyzer
        chain = [t.text for t in analyzer(text, mode="query", lang=lang, exact=exact)]
        assert analyzer.query_terms(text, lang, exact) == chain


@hypothesis_settings(max_examples=150, deadline=None)
@given(TEXT, st.sampled_from(LANGS))
def test_highlighting_keeps_the_text_and_marks_whole_characters(text, lang):
    matches = [Match(t.startchar, t.endchar, t.text)
               for t in SCHEMA["body"].analyzer(text, chars=True, mode="index", lang=lang)]
    marked = mark(text, matches, 0, len(text))
    assert html_module.unescape(re.sub(r"</?mark>", "", marked)) == text


@hypothesis_settings(max_examples=150, deadline=None)
@given(TEXT, st.lists(st.sampled_from(LANGS), min_size=1, max_size=3))
def test_any_query_in_any_languages_compiles(text, langs):
    build_query(SCHEMA, parse_query(text), langs=tuple(langs))


@pytest.mark.parametrize("param", ["lang", "prefer_lang"])
def test_a_language_nobody_knows_is_a_400_naming_the_parameter(client, param):
    response = client.get(f"/api/search?q=server&{param}=elvish")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == param


def test_each_result_says_its_language(client):
    [hit] = client.get("/api/search?q=server+actions&lang=en-US").get_json()["results"]
    assert hit["lang"] == "en"


@pytest.mark.parametrize("q, lang", [
    ("comment installer node", "fr"),
    ("warum installieren node", "de"),
    ("cómo instalar node", "es"),
])
def test_a_question_word_of_the_blogs_language_is_never_required(make_blog, build_index, open_index, q, lang):
    from searchsvc.search import SearchRequest

    settings, summary = build_index(make_blog({
        "install.md": post("Node", "installer installieren instalar node"),
        "other.md": post("Autre", "rien"),
    }), language=lang)
    assert not summary.skipped
    response = open_index(settings.index_dir).search(SearchRequest(q=q))
    assert ids(response) == ["install"] and not response.relaxed


@pytest.mark.parametrize("q, lang", [
    ("cómo hacer un formulario", "es"),
    ("cómo puedo usar formulario", "es"),
    ("comment faire un formulario", "fr"),
    ("como fazer formulario", "pt"),
])
def test_a_verb_after_a_question_word_of_its_language_is_never_required(make_blog, build_index, open_index,
                                                                        q, lang):
    # "hacer", "usar", "faire", "fazer" say only that something is to be done: the post
    # titled "Formulario" lacks them, and comes before the one that has every word.
    from searchsvc.search import SearchRequest

    settings, summary = build_index(make_blog({
        "form.md": post("Formulario", "Campos y botones."),
        "other.md": post("Notas", "Hacer, usar, puedo, faire, fazer: un formulario aquí y allá."),
    }), language=lang)
    assert not summary.skipped
    response = open_index(settings.index_dir).search(SearchRequest(q=q))
    assert ids(response)[0] == "form" and not response.relaxed


@pytest.mark.parametrize("q", ["how do i instalar node", "how to instalar node", "what is the instalar node",
                               "instalar node tutorial", "instalar node example"])
def test_a_question_in_english_on_a_blog_in_another_language_finds_the_post(make_blog, build_index,
                                                                              open_index, q):
    """A reader of a Spanish blog types "how do I" and "example" too: never required."""
    from searchsvc.search import SearchRequest

    settings, summary = build_index(make_blog({
        "install.md": post("Instalar node", "Cómo instalar node paso a paso."),
        "other.md": post("Otra", "nada"),
    }), language="es")
    assert not summary.skipped
    response = open_index(settings.index_dir).search(SearchRequest(q=q))
    assert ids(response) == ["install"] and not response.relaxed
