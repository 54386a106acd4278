"""Languages: a post's language code, and how words of each language are analysed.

A language is named by its BCP 47 tag, of which only the primary subtag counts
(``es-ES`` and ``es_419`` are ``es``; ``zh-Hant`` is ``zh``). For each language this
module knows:

- its Snowball stemmer (``snowballstemmer`` from PyPI; English keeps the original
  Porter stemmer the index has always used), or none;
- its stop words (Whoosh's lists, plus Romanian and Catalan here), or none;
- how its readers type accented letters: French, Spanish, German… readers often leave
  accents out, so accents are folded ("chargées" is found by "chargees"); Swedish,
  Finnish, Turkish… readers do not (``å``, ``ö``, ``ı`` are letters of their own); in
  Russian only ``ё`` is written as ``е``.

Chinese, Japanese and Korean text is not split into words by spaces: :data:`CJK_CLASS`
names its characters, which the tokenizer cuts into overlapping pairs (see
:mod:`searchsvc.schema`), whatever the post's language.

>>> normalize("es-ES"), normalize("PT_br"), normalize("zh-Hant-TW"), normalize("français")
('es', 'pt', 'zh', 'fr')
>>> normalize("xx") is None
True
>>> stem("fr", "chargées"), stem("de", "häuser"), stem("es", "escribimos")
('charg', 'haus', 'escrib')
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable, Sequence

import snowballstemmer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem as porter_stem
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

#: The language of a post that names none, when the site names none either.
DEFAULT = "en"

#: ISO 639-1 codes: every language a post may name with two letters.
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz
    ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo
    lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps
    pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn
    to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)
#: Other tags people write: deprecated codes, three-letter codes with a two-letter one, and
#: three-letter codes of languages that have none (kept as they are).
_ALIASES = {
    "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro",
    "eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "ita": "it",
    "por": "pt", "nld": "nl", "dut": "nl", "swe": "sv", "nor": "no", "nob": "nb", "nno": "nn",
    "dan": "da", "fin": "fi", "rus": "ru", "tur": "tr", "hun": "hu", "ron": "ro", "rum": "ro",
    "jpn": "ja", "zho": "zh", "chi": "zh", "cmn": "zh", "kor": "ko", "pol": "pl", "ukr": "uk",
    "cat": "ca", "ces": "cs", "cze": "cs", "ell": "el", "gre": "el", "heb": "he", "ara": "ar",
    "yue": "yue", "fil": "fil", "haw": "haw", "ast": "ast", "ckb": "ckb", "gsw": "gsw",
}
#: Language names as people write them in frontmatter (``language: French``).
_NAMES = {
    "english": "en", "french": "fr", "français": "fr", "francais": "fr", "german": "de",
    "deutsch": "de", "spanish": "es", "español": "es", "espanol": "es", "italian": "it",
    "italiano": "it", "portuguese": "pt", "português": "pt", "portugues": "pt", "dutch": "nl",
    "nederlands": "nl", "swedish": "sv", "svenska": "sv", "norwegian": "no", "norsk": "no",
    "danish": "da", "dansk": "da", "finnish": "fi", "suomi": "fi", "russian": "ru",
    "русский": "ru", "turkish": "tr", "türkçe": "tr", "hungarian": "hu", "magyar": "hu",
    "romanian": "ro", "română": "ro", "japanese": "ja", "日本語": "ja", "chinese": "zh",
    "中文": "zh", "korean": "ko", "한국어": "ko", "polish": "pl", "polski": "pl",
    "ukrainian": "uk", "catalan": "ca", "català": "ca", "greek": "el", "czech": "cs",
}


def normalize(value: object) -> str | None:
    """The language code a frontmatter value or setting names, or None when it names none we know.

    Case, region, script and variant subtags do not count (``en-GB``, ``sr-Latn``,
    ``pt_BR`` are ``en``, ``sr``, ``pt``).
    """
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if not text or len(text) > 40:
        return None
    if text in _NAMES:
        return _NAMES[text]
    primary = re.split(r"[-_.@\s]", text, maxsplit=1)[0]
    if primary in ISO_639_1:
        return primary
    return _ALIASES.get(primary)


# ---------------------------------------------------------------------------
# Stemming

#: Snowball's algorithm for each language code it covers.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish", "nl": "dutch",
    "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}


@lru_cache(maxsize=None)
def _stemmer(lang: str) -> Callable[[str], str] | None:
    if lang == "en":
        return porter_stem
    algorithm = SNOWBALL.get(lang)
    if algorithm is None:
        return None
    return snowballstemmer.stemmer(algorithm).stemWord


def has_stemmer(lang: str) -> bool:
    return _stemmer(lang) is not None


def keeps_exact(lang: str) -> bool:
    """Whether words of ``lang`` are indexed as written beside their stems. Stemmers cut
    deep ("idéntica" and "identificar" are both ``ident``, "differently" and "different"
    both ``differ``): a rare word a reader remembers would match as many posts as its
    common stem. With the word as written also indexed, a query ranks the posts with the
    very word first and still finds its other forms. (English since ANALYSIS_VERSION 5: an
    index built before has its stems alone, see :func:`schema.index_keeps_exact`.)
    """
    return has_stemmer(lang)


@lru_cache(maxsize=200_000)
def stem(lang: str, word: str) -> str:
    """``word`` (lower-case) stemmed as ``lang`` stems it; unchanged for a language without a stemmer."""
    stemmer = _stemmer(lang)
    return stemmer(word) if stemmer is not None else word


# ---------------------------------------------------------------------------
# Stop words

#: English stop words plus the leftovers of contractions ("what's" -> what, s): the list
#: the index has always used for English.
ENGLISH_STOP = frozenset(STOP_WORDS) | {"s", "t", "d", "ll", "re", "ve", "m"}
_EXTRA_STOP = {
    "ro": """a acea aceasta această aceea acei aceia acel acela acele acelea acest acesta aceste
        acestea acestei acestor al ale alt alta altă am are as aș au avea avem aveți ca că cât cu
        care ce cea cei cel cele cine cum da dacă dar de deci din după e ea ei el ele era este
        eu fi fie fost iar în îi îl îmi împotriva la le li lor lui mai mă mea mei meu mi mult
        ne nici nu o or ori pe pentru prin sa să se si și sunt spre sub tu un una unei unor
        unui va vă voi vor""",
    "ca": """a al als amb aquell aquella aquelles aquells aquest aquesta aquestes aquests com
        d de del dels des el ella elles ells els en entre era és és esta està estan i jo la les
        li lo més no nosaltres o on per però perquè que qui se seu seus si sí sobre son són
        sota també te tu un una unes uns va van vosaltres""",
}


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """The words ``lang``'s prose leaves unindexed (empty for a language without a list)."""
    if lang == "en":
        return ENGLISH_STOP
    if lang in ("nb", "nn"):
        lang = "no"
    if lang in _EXTRA_STOP:
        return frozenset(_EXTRA_STOP[lang].split())
    return frozenset(stoplists.get(lang, ()))


#: Words that make a query a question, beside the stop words ("how do I publish a package",
#: "what is a worker", "comment installer node"): a post that answers it seldom has them, so
#: they count where they occur but a query never requires them (query.is_stop_word). They are
#: indexed as any word: this is how a query is read, not how posts are. Interrogatives,
#: auxiliaries and pronouns; each language's stop list has many already (English's is short).
_QUESTION_WORDS = {
    "en": "how what why where which who whom whose whats hows do does did i me my im ive",
    "fr": "comment pourquoi quoi quel quelle quels quelles où ou combien est-ce",
    "de": "wie warum wieso weshalb was wo wer wen wem wann welche welcher welches",
    "es": "cómo como por qué que dónde donde cuál cual cuáles cuales quién quien cuándo cuando porqué",
    "it": "come perché perche cosa quale quali dove quando chi",
    "pt": "como porque por que onde qual quais quando quem",
    "nl": "hoe waarom wat waar welke welk wie wanneer",
    "ru": "как почему зачем где когда какой какая какие что",
}


#: Words that say what kind of post is wanted, beside what it is about ("node streams
#: tutorial", "useEffect explained", "exemple de formulaire"): the post wanted may not use
#: them, so they count where they occur (a post titled "Streams: a tutorial" first) but a
#: query never requires them (query.is_stop_word). Query-time only, as _QUESTION_WORDS.
_KIND_WORDS = {
    "en": """tutorial tutorials guide guides example examples explained explanation introduction
        intro overview walkthrough beginner beginners""",
    "fr": "tutoriel tutoriels guide guides exemple exemples introduction explication explications",
    "de": "anleitung anleitungen tutorial beispiel beispiele einführung erklärung erklärt leitfaden",
    "es": "tutorial tutoriales guía guia ejemplo ejemplos introducción introduccion explicación explicacion",
    "it": "tutorial guida esempio esempi introduzione spiegazione",
    "pt": "tutorial tutoriais guia exemplo exemplos introdução introducao explicação explicacao",
    "nl": "handleiding voorbeeld voorbeelden uitleg introductie tutorial",
    "ru": "руководство пример примеры введение туториал",
}


def kind_words(lang: str) -> frozenset[str]:
    """The words that say what kind of post is wanted in ``lang`` (see _KIND_WORDS), lower-case."""
    return _KIND_SETS.get(lang, frozenset())


_KIND_SETS = {lang: frozenset(words.split()) for lang, words in _KIND_WORDS.items()}


def question_words(lang: str) -> frozenset[str]:
    """The words that make a query a question in ``lang`` (see _QUESTION_WORDS), lower-case."""
    return _QUESTION_SETS.get(lang, frozenset())


_QUESTION_SETS = {lang: frozenset(words.split()) for lang, words in _QUESTION_WORDS.items()}


#: Verbs that say only that something is to be done, right after a question's words ("how to
#: *use* npm ci", "cómo *hacer* un formulario", "comment *faire*", "como *posso usar*"): the
#: post that answers seldom has them, so there they are part of the question (never
#: required). Elsewhere they are words as any other ("useState", "Make a plan"). And the
#: modal verbs that follow a question word where a stop list lacks them ("cómo *puedo*").
_QUESTION_VERBS = {
    "en": "use make get",
    "fr": "faire utiliser peux peut puis-je",
    "de": "benutzen verwenden nutzen",
    "es": "hacer usar utilizar puedo puede",
    "it": "fare usare utilizzare posso può",
    "pt": "fazer usar utilizar posso pode",
    "nl": "maken gebruiken",
    "ru": "сделать использовать",
}


def question_verbs(lang: str) -> frozenset[str]:
    """The verbs that are part of a question right after its words in ``lang`` (see _QUESTION_VERBS)."""
    return _QUESTION_VERB_SETS.get(lang, frozenset())


_QUESTION_VERB_SETS = {lang: frozenset(words.split()) for lang, words in _QUESTION_VERBS.items()}


#: The words a language writes elided before a vowel, with an apostrophe ("d'APT",
#: "l'application", "dell'utente"), longest first.
_ELISIONS = {
    "fr": "jusqu lorsqu puisqu qu l d j m n s t c",
    "it": "dell dall nell sull all un l d c",
    "ca": "l d s m t n",
}
_ELISION_LISTS = {lang: tuple(sorted(words.split(), key=len, reverse=True)) for lang, words in _ELISIONS.items()}


def elisions(word: str, langs: Sequence[str]) -> list[tuple[str, str]]:
    """Each way of reading ``word`` as an elided word and the word after it, typed without
    the apostrophe ("dapt": "d", "apt"; "lapplication"), in the languages of ``langs`` that
    elide, the longer elided word first; the rest of three letters or more.

    >>> elisions("lapplication", ["fr"]), elisions("dapt", ["en"])
    ([('l', 'application')], [])
    """
    lower = word.lower()
    found = []
    for lang in langs:
        for first in _ELISION_LISTS.get(lang, ()):
            rest = word[len(first):]
            if lower.startswith(first) and len(rest) >= 3 and rest.isalpha() and (word[:len(first)], rest) not in found:
                found.append((word[: len(first)], rest))
    return found


# ---------------------------------------------------------------------------
# Accents

#: Languages whose readers type their accented letters: å, ä, ö, ü, ő, ı, ş… are letters
#: of their own there, not accents to leave out.
KEEP_ACCENTS = frozenset({"sv", "no", "nb", "nn", "da", "fi", "et", "is", "fo", "hu", "tr", "az", "lt", "lv"})
#: Languages written in Cyrillic: only ``ё`` is folded (``й`` is a letter of its own).
CYRILLIC = frozenset({"ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "mn", "tg", "tt"})


#: Languages whose dotted and dotless i are two letters: ``I`` is the capital of ``ı``, ``İ`` of ``i``.
DOTLESS_I = frozenset({"tr", "az"})


#: Arabic vowel marks (harakat), Quranic annotation marks and the tatweel that stretches a
#: line; Hebrew vowel points and cantillation. Most text and every reader leaves them out.
_POINTS = dict.fromkeys([
    *range(0x064B, 0x0660), 0x0670, 0x0640, *range(0x06D6, 0x06DD), *range(0x06DF, 0x06E5),
    0x06E7, 0x06E8, *range(0x06EA, 0x06EE),
    *range(0x0591, 0x05BE), 0x05BF, 0x05C1, 0x05C2, 0x05C4, 0x05C5, 0x05C7,
])


def lower(lang: str, text: str) -> str:
    """``text`` lower-cased as ``lang`` writes it, without Arabic and Hebrew vowel points
    ("مَدْرَسَة" is "مدرسة"). ``İ`` is ``i`` in every language (Python makes it ``i`` and a
    combining dot, which no typed "istanbul" matches), and so is that ``i`` and dot, which
    text or a query lower-cased elsewhere has (Python's ``str.lower``, JavaScript's
    ``toLowerCase``); in Turkish and Azerbaijani ``I`` is ``ı`` ("KAPALI" is "kapalı", which
    stems as "kapalı" does).

    >>> lower("en", "İstanbul"), lower("tr", "İŞLEM KAPALI"), lower("en", "KAPALI")
    ('istanbul', 'işlem kapalı', 'kapali')
    >>> lower("tr", "İki".lower()), lower("tr", "I\u0307ki")
    ('iki', 'iki')
    >>> lower("ar", "مَدْرَسَة") == "مدرسة", lower("he", "שָׁלוֹם") == "שלום", lower("fr", "cafe\u0301") == "café"
    (True, True, True)
    """
    if text.isascii():
        return text.lower()
    # Accents written apart ("e" and U+0301) as one letter, as readers type them.
    text = unicodedata.normalize("NFC", text)
    if lang in DOTLESS_I and "I" in text:
        text = text.replace("I", "ı")
    return lower_dotted(text).translate(_POINTS)


def lower_dotted(text: str) -> str:
    """``text`` lower-cased as Python does, but ``İ`` and a lower-cased ``İ`` (``i`` and a
    combining dot) are ``i``.

    >>> lower_dotted("İki"), lower_dotted("i\u0307ki"), lower_dotted("KAPALI")
    ('iki', 'iki', 'kapali')
    """
    text = text.lower()
    return text.replace("i\u0307", "i") if "\u0307" in text else text


def is_word(word: str) -> bool:
    """Whether ``word`` is letters, with their combining marks: what a stemmer takes.
    (``str.isalpha`` is False for most Hindi and Tamil words: their vowel signs are marks.)

    >>> is_word("भाषाओं"), is_word("chargées"), is_word("node.js"), is_word("\u0301a")
    (True, True, False, False)
    """
    if word.isalpha():
        return True
    return word[:1].isalpha() and all(ch.isalpha() or unicodedata.category(ch)[0] == "M" for ch in word)


#: A soft hyphen (``&shy;``) marks where a long word may break at a line's end: the word is
#: one without it ("Konfigu&shy;ration" is "Konfiguration"). ``str.translate`` drops it.
SOFT_HYPHEN = {0xAD: None}

#: Letters written as two where readers leave them out: "oeuvre" for "œuvre", "Strasse" for
#: "Straße", "encyclopaedia" for "encyclopædia" (not in Danish or Norwegian, whose æ is a
#: letter: KEEP_ACCENTS).
LIGATURES = {ord("œ"): "oe", ord("æ"): "ae", ord("ß"): "ss"}
#: Greek vowels with their tonos or dialytika, which readers often leave out ("καλημερα"):
#: not in Whoosh's accent_map.
GREEK_ACCENTS = {ord(c): unicodedata.normalize("NFD", c)[0] for c in "άέήίόύώϊϋΐΰ"}
#: Arabic alef with a hamza or madda, which readers often type as a plain alef ("احمد").
ALEF_FORMS = dict.fromkeys(map(ord, "أإآ"), "ا")
_FOLDED = {**accent_map, **LIGATURES, **GREEK_ACCENTS, **ALEF_FORMS}
#: Languages written with the Persian letters ک and ی, which text copied from Arabic
#: writes ك and ي (or ى): one word to a reader, two to an index.
PERSIAN_LETTERS = frozenset({"fa", "ur"})
ARABIC_KAF_YEH = {ord("ك"): "ک", ord("ي"): "ی", ord("ى"): "ی"}
_FOLDED_PERSIAN = {**_FOLDED, **ARABIC_KAF_YEH}


def fold(lang: str, word: str, dotless: bool = True) -> str:
    """``word`` with the accents ``lang``'s readers leave out removed, and the letters
    they write as two so written (LIGATURES). In Turkish and Azerbaijani, ``ı`` is read as
    ``i`` (after stemming): English words and capitals ("API", "Linux" written "LINUX")
    lower-case to ``ı``, and many readers type ``i`` for it.

    >>> fold("fr", "chargées"), fold("sv", "hjärta"), fold("ru", "ёлка"), fold("ru", "йод")
    ('chargees', 'hjärta', 'елка', 'йод')
    >>> fold("fr", "cœur"), fold("de", "straße"), fold("da", "æble")
    ('coeur', 'strasse', 'æble')
    >>> fold("el", "καλημέρα"), fold("fa", "كتاب") == fold("fa", "کتاب"), fold("ar", "أحمد")
    ('καλημερα', True, 'احمد')
    >>> fold("tr", "apı"), fold("tr", "kapalı"), fold("tr", "şöyle")
    ('api', 'kapali', 'şöyle')
    """
    if word.isascii():
        return word
    if lang in DOTLESS_I and dotless:  # (not in an index built before: see schema.LanguageFilter)
        return word.replace("ı", "i")
    if lang in KEEP_ACCENTS:
        return word
    if lang in CYRILLIC:
        return word.replace("ё", "е")
    return word.translate(_FOLDED_PERSIAN if lang in PERSIAN_LETTERS else _FOLDED)


def folds(lang: str) -> bool:
    """Whether ``lang`` folds any accent (see :func:`fold`)."""
    return lang not in KEEP_ACCENTS


def analysis_key(lang: str) -> str:
    """Languages analysed alike share a key: a query is analysed once per key, not per language."""
    if lang in KEEP_ACCENTS or lang in CYRILLIC or has_stemmer(lang) or stop_words(lang):
        return {"nb": "no", "nn": "no"}.get(lang, lang)
    return "*"


# ---------------------------------------------------------------------------
# Chinese, Japanese and Korean

#: Characters of scripts written without spaces between words: Han (with its marks), kana,
#: Hangul; and Thai, Lao, Burmese and Khmer, which are read the same way (called CJK here
#: for short). A run of them is indexed as overlapping pairs of characters.
CJK_CLASS = (
    "\u0e01-\u0e5b"  # Thai
    "\u0e81-\u0edf"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1100-\u11ff"  # Hangul Jamo
    "\u1780-\u17ff\u19e0-\u19ff"  # Khmer, Khmer symbols
    "\u3005-\u3007\u3021-\u3029\u3031-\u3035\u303b\u303c"  # 々 〆 〇, Hangzhou numerals, kana repeat marks
    "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana (with ー), Katakana extension
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs, extension A, compatibility
    "\uac00-\ud7af"  # Hangul syllables
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK ideographs, extensions B-G
)
_CJK_RE = re.compile(f"[{CJK_CLASS}]")


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def has_letters(text: str) -> bool:
    """Whether ``text`` has a letter other than a CJK one: something stemming, stop words or
    accent folding may read differently in one language and another.

    >>> has_letters("服务器 2024"), has_letters("React 服务器"), has_letters("¿Qué?")
    (False, True, True)
    """
    return any(ch.isalpha() for ch in _CJK_RE.sub("", text))


def is_cjk(text: str) -> bool:
    """Whether every character of ``text`` is CJK (and there is one)."""
    return bool(text) and all(_CJK_RE.match(ch) for ch in text)
