"""tools/search_cache.py and tools/api_cache.py never serve stale output: a page's search entries
and an API entry's rendering are reused only under the same inputs, come back exactly as they
were made (headings included), and nothing made while a warning was logged is stored.

(That a whole build from these caches is byte-identical to a clean build is checked on the real
site: tests/site/test_reproducible.py.)"""

from __future__ import annotations

import json
import logging
import subprocess
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, tostring

import pytest
from markupsafe import Markup
from mkdocstrings import CollectionError

from tools import purge_css, render_cache
from tools.api_cache import ApiCache, base_facts
from tools.search_cache import LazyJieba, SearchCache


# -- search ------------------------------------------------------------------------------------
@dataclass
class Anchor:
    id: str
    url: str
    title: str
    children: list[Anchor] = field(default_factory=list)


@dataclass
class FakePage:
    content: str = "<h1 id='a'>交叉熵</h1><p>正文</p>"
    url: str = "a/"
    title: str = "交叉熵"
    meta: dict[str, Any] = field(default_factory=dict)
    toc: list[Anchor] = field(default_factory=lambda: [Anchor("a", "#a", "交叉熵")])


class FakeIndex:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []


class Indexer:
    """Stands in for the search plugin's own indexing; counts its calls."""

    def __init__(self, warn: bool = False) -> None:
        self.calls = 0
        self.warn = warn

    def __call__(self, index: FakeIndex, page: FakePage) -> None:
        self.calls += 1
        if self.warn:
            logging.getLogger("mkdocs.plugins.search").warning("something odd")
        index.entries.append({"location": page.url, "title": page.title, "text": page.content})


class NoJieba:
    def cut(self, text: str) -> list[str]:
        return [text]


def _search_cache(tmp_path: Path, words: str = "交叉熵 5\n") -> SearchCache:
    user_dict = tmp_path / "user_dict.txt"
    user_dict.write_text(words, encoding="utf-8")
    lazy = LazyJieba(NoJieba())
    lazy.load_userdict(str(user_dict))
    return SearchCache(tmp_path / "cache", lazy)


def _index(cache: SearchCache, page: FakePage, indexer: Indexer) -> list[dict[str, Any]]:
    index = FakeIndex()
    cache.add(index, page, indexer)
    return index.entries


def test_an_unchanged_page_is_not_indexed_again(tmp_path: Path) -> None:
    indexer = Indexer()
    first = _index(_search_cache(tmp_path), FakePage(), indexer)
    again = _index(_search_cache(tmp_path), FakePage(), indexer)
    assert again == first and indexer.calls == 1


@pytest.mark.parametrize(
    "changed",
    [
        FakePage(content="<h1 id='a'>交叉熵</h1><p>改过的正文</p>"),
        FakePage(url="b/"),
        FakePage(title="熵"),
        FakePage(meta={"search": {"boost": 0.2}}),
        FakePage(toc=[Anchor("a", "#a", "交叉熵", [Anchor("b", "#b", "二")])]),
    ],
    ids=["content", "url", "title", "front matter", "toc"],
)
def test_a_changed_page_is_indexed_again(tmp_path: Path, changed: FakePage) -> None:
    indexer = Indexer()
    _index(_search_cache(tmp_path), FakePage(), indexer)
    entries = _index(_search_cache(tmp_path), changed, indexer)
    assert indexer.calls == 2
    assert entries == [{"location": changed.url, "title": changed.title, "text": changed.content}]


def test_a_changed_dictionary_indexes_every_page_again(tmp_path: Path) -> None:
    indexer = Indexer()
    _index(_search_cache(tmp_path), FakePage(), indexer)
    _index(_search_cache(tmp_path, words="交叉熵 5\n正则化 5\n"), FakePage(), indexer)
    assert indexer.calls == 2


def test_lazy_jieba_loads_the_dictionaries_before_the_first_cut(tmp_path: Path) -> None:
    calls: list[str] = []

    class Recorder:
        def load_userdict(self, path: str) -> None:
            calls.append(f"load {Path(path).name}")

        def cut(self, text: str) -> list[str]:
            calls.append(f"cut {text}")
            return [text]

    (tmp_path / "d.txt").write_text("熵 5\n", encoding="utf-8")
    lazy = LazyJieba(Recorder())
    lazy.load_userdict(str(tmp_path / "d.txt"))
    assert calls == []
    lazy.cut("熵")
    lazy.cut("熵")
    assert calls == ["load d.txt", "cut 熵", "cut 熵"]


class CountingJieba:
    """Splits after every character; counts dictionary loads and cuts."""

    def __init__(self) -> None:
        self.loads = 0
        self.cuts = 0

    def load_userdict(self, path: str) -> None:
        self.loads += 1

    def cut(self, text: bytes | str) -> Any:
        self.cuts += 1
        word = text.decode("utf-8") if isinstance(text, bytes) else text
        return iter(list(word))


def _remembering(tmp_path: Path, real: CountingJieba, words: str = "熵 5\n") -> LazyJieba:
    (tmp_path / "d.txt").write_text(words, encoding="utf-8")
    lazy = LazyJieba(real, tmp_path / "memo")
    lazy.load_userdict(str(tmp_path / "d.txt"))
    return lazy


def test_a_segmentation_seen_by_an_earlier_build_needs_no_jieba(tmp_path: Path) -> None:
    real = CountingJieba()
    first = _remembering(tmp_path, real)
    assert list(first.cut("交叉熵".encode())) == ["交", "叉", "熵"]
    first.save()
    again = _remembering(tmp_path, real)
    assert list(again.cut("交叉熵".encode())) == ["交", "叉", "熵"]
    assert (real.loads, real.cuts, again.ready) == (1, 1, False), "jieba ran for a known text"
    assert list(again.cut("正则化")) == ["正", "则", "化"]  # new text: jieba loads, cuts
    assert (real.loads, real.cuts, again.ready) == (2, 2, True)


def test_other_dictionaries_segment_again(tmp_path: Path) -> None:
    real = CountingJieba()
    first = _remembering(tmp_path, real)
    list(first.cut("交叉熵"))
    first.save()
    list(_remembering(tmp_path, real, words="交叉熵 5\n").cut("交叉熵"))
    assert real.cuts == 2


def test_a_preloaded_jieba_segments_in_its_child_process(tmp_path: Path) -> None:
    """preload(): the dictionaries load in a forked child; the segmentation is the child's, and
    this process never loads them."""

    class Initializing(CountingJieba):
        def initialize(self) -> None:
            self.loads += 1

    real = Initializing()
    lazy = _remembering(tmp_path, real)
    lazy.preload()
    try:
        assert list(lazy.cut("交叉熵".encode())) == ["交", "叉", "熵"]
        assert list(lazy.cut("正则化")) == ["正", "则", "化"]
    finally:
        lazy.close()
    assert (real.loads, real.cuts, lazy.ready) == (0, 0, False), "segmented in this process"
    assert lazy.child is None


def test_entries_made_while_a_warning_was_logged_are_not_stored(tmp_path: Path) -> None:
    warning = Indexer(warn=True)
    _index(_search_cache(tmp_path), FakePage(), warning)
    _index(_search_cache(tmp_path), FakePage(), warning)
    assert warning.calls == 2


# -- API renderings -------------------------------------------------------------------------------
@dataclass
class FakeObject:
    path: str = "dlref.functional.softmax"


class FakeHandler:
    def __init__(self) -> None:
        self._headings: list[Element] = []
        self._md = None


class Renderer:
    def __init__(self, warn: bool = False) -> None:
        self.calls = 0
        self.warn = warn

    def __call__(self, handler: FakeHandler, data: Any, options: Any, locale: Any = None) -> str:
        self.calls += 1
        if self.warn:
            logging.getLogger("griffe").warning("a docstring could not be parsed")
        label = Markup("<code></code>&nbsp;softmax")  # trusted HTML: the toc does not escape it
        heading = Element("h3", {"id": data.path, "data-toc-label": label})
        heading.text = "<code>softmax</code>"
        heading.tail = "\n"
        handler._headings.append(heading)
        return f"<div>{data.path} {options}</div>"


FACTS = {"dlref": "digest of the sources", "distributions": ["mkdocstrings==1.0.8"]}


def _render(tmp_path: Path, renderer: Renderer, facts: Any = FACTS, **kw: Any) -> tuple[str, Any]:
    handler = FakeHandler()
    cache = ApiCache(tmp_path / "cache", facts=facts)
    html = cache.render(
        renderer, handler, kw.get("data", FakeObject()), kw.get("options", "opts"), "zh"
    )
    return html, [
        (tostring(h, encoding="unicode"), h.tail, type(h.text), type(h.get("data-toc-label")))
        for h in handler._headings
    ]


def test_an_unchanged_entry_comes_back_with_its_headings(tmp_path: Path) -> None:
    renderer = Renderer()
    first = _render(tmp_path, renderer)
    again = _render(tmp_path, renderer)
    assert again == first and renderer.calls == 1
    ((xml, tail, text_type, label_type),) = again[1]
    assert 'id="dlref.functional.softmax"' in xml and tail == "\n"
    assert (text_type, label_type) == (str, Markup)


@pytest.mark.parametrize(
    "change",
    [
        {"data": FakeObject("dlref.functional.relu")},
        {"options": "other options"},
        {"facts": {**FACTS, "dlref": "the sources changed"}},
        {"facts": {**FACTS, "distributions": ["mkdocstrings==1.0.9"]}},
    ],
    ids=["identifier", "options", "sources", "versions"],
)
def test_a_changed_input_renders_again(tmp_path: Path, change: dict[str, Any]) -> None:
    renderer = Renderer()
    _render(tmp_path, renderer)
    _render(tmp_path, renderer, **change)
    assert renderer.calls == 2


def test_a_rendering_that_warned_is_not_stored(tmp_path: Path) -> None:
    renderer = Renderer(warn=True)
    _render(tmp_path, renderer)
    _render(tmp_path, renderer)
    assert renderer.calls == 2


def test_the_key_covers_sources_configuration_and_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    (root / "dlref").mkdir(parents=True)
    (root / "dlref" / "__init__.py").write_text("VALUE = 1\n")
    (root / "mkdocs.yml").write_text("site_name: x\n")
    facts = [base_facts(root)]
    (root / "dlref" / "__init__.py").write_text("VALUE = 2\n")
    facts.append(base_facts(root))
    (root / "mkdocs.yml").write_text("site_name: y\n")
    facts.append(base_facts(root))
    (root / "overrides").mkdir()
    (root / "overrides" / "main.html").write_text("{% extends 'base.html' %}\n")
    facts.append(base_facts(root))
    monkeypatch.setenv("DLREF_SITE_URL", "https://example.org/")
    facts.append(base_facts(root))
    assert len({repr(f) for f in facts}) == len(facts)


class Griffe:
    """Stands in for mkdocstrings-python's collection (griffe) and ``get_aliases``."""

    def __init__(self, warn: bool = False) -> None:
        self.loads = 0
        self.warn = warn

    def collect(self, handler: Any, identifier: str, options: Any) -> FakeObject:
        self.loads += 1
        if self.warn:
            logging.getLogger("griffe").warning("could not resolve an alias")
        handler._modules_collection[identifier.split(".")[0]] = True
        return FakeObject(identifier)

    def aliases(self, handler: Any, identifier: str) -> tuple[str, ...]:
        if identifier.split(".")[0] not in handler._modules_collection:
            return ()  # as griffe's: nothing collected, no aliases
        return (identifier, identifier.replace("functional", "functional._softmax"))


def _build(tmp_path: Path, griffe: Griffe, renderer: Renderer) -> tuple[Any, Any, list[Any]]:
    """One build's use of the API cache, as mkdocstrings makes it: collect, render, then the
    aliases of every heading (``_process_headings``)."""
    handler = FakeHandler()
    handler._modules_collection = {}  # type: ignore[attr-defined]
    cache = ApiCache(tmp_path / "cache", facts=FACTS)
    data = cache.collect(griffe.collect, handler, "dlref.functional.softmax", "opts")
    html = cache.render(renderer, handler, data, "opts", "zh", griffe.collect, griffe.aliases)
    aliases = [
        cache.get_aliases(griffe.aliases, griffe.collect, handler, h.get("id"))
        for h in handler._headings
    ]
    return cache, html, aliases


def test_a_build_from_the_cache_never_loads_griffe_and_keeps_the_aliases(tmp_path: Path) -> None:
    griffe, renderer = Griffe(), Renderer()
    _, html, aliases = _build(tmp_path, griffe, renderer)
    assert (griffe.loads, renderer.calls) == (1, 1)
    assert aliases == [("dlref.functional.softmax", "dlref.functional._softmax.softmax")]
    again, html_again, aliases_again = _build(tmp_path, griffe, renderer)
    assert (griffe.loads, renderer.calls) == (1, 1), "griffe ran for a cached rendering"
    assert (html_again, aliases_again) == (html, aliases)
    assert (again.hits, again.loads) == (1, 0)


def test_aliases_of_an_identifier_no_entry_knows_come_from_griffe(tmp_path: Path) -> None:
    griffe, renderer = Griffe(), Renderer()
    _build(tmp_path, griffe, renderer)
    cache, _, _ = _build(tmp_path, griffe, renderer)
    handler = FakeHandler()
    handler._modules_collection = {}  # type: ignore[attr-defined]
    cache.collect(griffe.collect, handler, "dlref.functional.softmax", "opts")
    got = cache.get_aliases(griffe.aliases, griffe.collect, handler, "dlref.functional.relu")
    assert got == ("dlref.functional.relu", "dlref.functional._softmax.relu")
    assert griffe.loads == 2


@pytest.mark.parametrize(
    ("error", "propagates"),
    [(CollectionError("torch could not be found"), False), (TypeError("bug"), True)],
)
def test_aliases_of_a_module_griffe_cannot_collect(
    tmp_path: Path, error: Exception, propagates: bool
) -> None:
    """A module griffe cannot find (``torch``) has no aliases, as without the cache; any other
    error in the collection is not swallowed."""

    def failing(handler: Any, identifier: str, options: Any) -> FakeObject:
        raise error

    griffe = Griffe()
    cache = ApiCache(tmp_path / "cache", facts=FACTS)
    handler = FakeHandler()
    handler._modules_collection = {}  # type: ignore[attr-defined]
    cache.collect(griffe.collect, handler, "dlref.functional.softmax", "opts")
    if propagates:
        with pytest.raises(TypeError, match="bug"):
            cache.get_aliases(griffe.aliases, failing, handler, "torch.nn.functional.relu")
    else:
        assert cache.get_aliases(griffe.aliases, failing, handler, "torch.nn.functional.relu") == ()


def test_nothing_is_stored_when_griffe_warned_while_collecting(tmp_path: Path) -> None:
    griffe, renderer = Griffe(warn=True), Renderer()
    _build(tmp_path, griffe, renderer)
    _build(tmp_path, griffe, renderer)
    assert (griffe.loads, renderer.calls) == (2, 2)


# -- formulas, the math font and search marks (tools/render_cache.py) ------------------------
def _math_hook(tmp_path: Path, version: str = "0.13.0") -> types.ModuleType:
    module = types.ModuleType("mathml_hook")
    (tmp_path / "temml").mkdir(exist_ok=True)
    (tmp_path / "temml" / "package.json").write_text(f'{{"version": "{version}"}}')
    (tmp_path / "render.cjs").write_text("// renderer\n")
    if not (tmp_path / "font.woff2").exists():
        (tmp_path / "font.woff2").write_bytes(b"font")
    if not (tmp_path / "temml.woff2").exists():
        (tmp_path / "temml.woff2").write_bytes(b"temml")
    module.TEMML = tmp_path / "temml"  # type: ignore[attr-defined]
    module.RENDERER = tmp_path / "render.cjs"  # type: ignore[attr-defined]
    module.FONT_SOURCE = tmp_path / "font.woff2"  # type: ignore[attr-defined]
    module.TEMML_FONT_SOURCE = tmp_path / "temml.woff2"  # type: ignore[attr-defined]
    module.started = 0  # type: ignore[attr-defined]
    module.subsets = []  # type: ignore[attr-defined]

    class Temml:
        def __init__(self) -> None:
            module.started += 1  # type: ignore[attr-defined]

        def render(self, tex: str, display: bool) -> dict[str, str]:
            if tex == "\\frac{1}":
                return {"error": "bad"}
            return {"html": f"<math>{tex}{display}</math>"}

        def close(self) -> None:
            pass

    def subset_font(characters: str) -> bytes:
        module.subsets.append(characters)  # type: ignore[attr-defined]
        return (tmp_path / "font.woff2").read_bytes() + characters.encode()

    def subset_temml_font(characters: str) -> bytes:
        module.subsets.append(f"temml {characters}")  # type: ignore[attr-defined]
        return (tmp_path / "temml.woff2").read_bytes() + characters.encode()

    module.Temml = Temml  # type: ignore[attr-defined]
    module.subset_font = subset_font  # type: ignore[attr-defined]
    module.subset_temml_font = subset_temml_font  # type: ignore[attr-defined]
    return module


def test_a_formula_is_typeset_once_and_node_starts_only_for_a_new_one(tmp_path: Path) -> None:
    hook = _math_hook(tmp_path)
    render_cache.cache_mathml(hook, tmp_path / "cache")
    first = hook.Temml().render("a^2", False)
    assert hook.started == 1
    render_cache.cache_mathml(hook, tmp_path / "cache")  # the next build
    assert hook.Temml().render("a^2", False) == first and hook.started == 1
    assert hook.Temml().render("a^2", True) != first and hook.started == 2  # display: new
    hook.Temml().render("\\frac{1}", False)
    renderer = hook.Temml()
    assert renderer.render("\\frac{1}", False) == {"error": "bad"}  # never stored
    assert hook.started == 4


def test_a_new_temml_renders_every_formula_again(tmp_path: Path) -> None:
    hook = _math_hook(tmp_path)
    render_cache.cache_mathml(hook, tmp_path / "cache")
    hook.Temml().render("a^2", False)
    hook = _math_hook(tmp_path, version="0.13.1")
    render_cache.cache_mathml(hook, tmp_path / "cache")
    hook.Temml().render("a^2", False)
    assert hook.started == 1


def test_the_math_font_is_cut_again_only_for_new_characters_or_a_new_font(tmp_path: Path) -> None:
    hook = _math_hook(tmp_path)
    render_cache.cache_mathml(hook, tmp_path / "cache")
    first = hook.subset_font("ab")
    assert first == b"fontab" and hook.subsets == ["ab"]
    hook = _math_hook(tmp_path)  # the next build
    render_cache.cache_mathml(hook, tmp_path / "cache")
    assert hook.subset_font("ab") == first and hook.subsets == []
    assert hook.subset_font("abc") == b"fontabc" and hook.subsets == ["abc"]
    (tmp_path / "font.woff2").write_bytes(b"newer font")
    hook = _math_hook(tmp_path)
    render_cache.cache_mathml(hook, tmp_path / "cache")
    assert hook.subset_font("ab") == b"newer fontab" and hook.subsets == ["ab"]


def test_the_temml_font_is_cut_again_only_for_new_characters_or_a_new_font(tmp_path: Path) -> None:
    hook = _math_hook(tmp_path)
    render_cache.cache_mathml(hook, tmp_path / "cache")
    first = hook.subset_temml_font(" ′")
    assert first == "temml ′".encode() and hook.subsets == ["temml  ′"]
    assert (
        hook.subset_font(" ′") == "font ′".encode()
    )  # the same characters, the other font: its own
    hook = _math_hook(tmp_path)  # the next build
    render_cache.cache_mathml(hook, tmp_path / "cache")
    assert hook.subset_temml_font(" ′") == first and hook.subsets == []
    assert hook.subset_temml_font(" ′″") == "temml ′″".encode() and hook.subsets == ["temml  ′″"]
    (tmp_path / "temml.woff2").write_bytes(b"newer temml")
    hook = _math_hook(tmp_path)
    render_cache.cache_mathml(hook, tmp_path / "cache")
    assert hook.subset_temml_font(" ′") == "newer temml ′".encode() and hook.subsets == ["temml  ′"]
    assert hook.subset_font(" ′") == "font ′".encode() and len(hook.subsets) == 1  # STIX: unchanged


def test_search_marks_follow_the_page_and_the_hook_code(tmp_path: Path) -> None:
    source = tmp_path / "search_content.py"
    source.write_text("def mark_unsearchable(content):\n    return content + '!'\n")
    calls: list[str] = []

    def load() -> types.ModuleType:
        module = types.ModuleType("search_content")
        module.__file__ = str(source)

        def mark_unsearchable(content: str) -> str:
            calls.append(content)
            return content + "!"

        module.mark_unsearchable = mark_unsearchable  # type: ignore[attr-defined]
        render_cache.cache_search_marks(module, tmp_path / "cache")
        return module

    assert load().mark_unsearchable("<p>页</p>") == "<p>页</p>!"
    assert load().mark_unsearchable("<p>页</p>") == "<p>页</p>!" and len(calls) == 1
    assert load().mark_unsearchable("<p>改</p>") == "<p>改</p>!" and len(calls) == 2
    source.write_text(source.read_text() + "# changed\n")
    assert load().mark_unsearchable("<p>页</p>") == "<p>页</p>!" and len(calls) == 3


# -- PurgeCSS (tools/purge_css.py) -------------------------------------------------------------
SHEETS = {
    "main.0.min.css": ".md-used{color:red}.md-unused{color:blue}h1{margin:0}table{border:0}",
    "palette.0.min.css": "[data-md-color-primary=indigo]{--c:1}[data-md-color-primary=red]{--c:2}",
}
WORDS = sorted(["md-used", "h1", "data-md-color-primary", "indigo"])


def test_purgecss_keeps_the_rules_whose_words_the_content_has(tmp_path: Path) -> None:
    purged, from_cache = purge_css.purge(SHEETS, WORDS, tmp_path)
    assert not from_cache
    assert purged["main.0.min.css"] == ".md-used{color:red}h1{margin:0}"
    assert purged["palette.0.min.css"] == "[data-md-color-primary=indigo]{--c:1}"


def test_a_purge_runs_node_once_for_the_same_sheets_and_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    real = purge_css.run_purgecss

    def counted(
        sheets: dict[str, str], content: list[str], not_values: list[str], tabs: int | None
    ) -> dict[str, str]:
        calls.append(content)
        return real(sheets, content, not_values, tabs)

    monkeypatch.setattr(purge_css, "run_purgecss", counted)
    first, _ = purge_css.purge(SHEETS, WORDS, tmp_path)
    again, from_cache = purge_css.purge(SHEETS, WORDS, tmp_path)  # the next build
    assert again == first and from_cache and len(calls) == 1
    more, from_cache = purge_css.purge(SHEETS, sorted([*WORDS, "table"]), tmp_path)  # a new word
    assert not from_cache and len(calls) == 2 and "table{border:0}" in more["main.0.min.css"]


def test_the_purge_key_covers_sheets_words_safelist_script_and_purgecss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = purge_css.cache_key(SHEETS, WORDS, [])
    assert purge_css.cache_key(dict(SHEETS), list(WORDS), []) == key
    assert purge_css.cache_key({**SHEETS, "main.0.min.css": ".x{}"}, WORDS, []) != key
    assert purge_css.cache_key(SHEETS, [*WORDS, "x"], []) != key
    assert purge_css.cache_key(SHEETS, WORDS, ["rtl"]) != key
    assert purge_css.cache_key(SHEETS, WORDS, [], 2) != key
    assert purge_css.cache_key(SHEETS, WORDS, [], 2) != purge_css.cache_key(SHEETS, WORDS, [], 3)
    monkeypatch.setattr(purge_css, "SAFELIST", {"standard": ["md-unused"], "patterns": []})
    assert purge_css.cache_key(SHEETS, WORDS, []) != key
    monkeypatch.undo()
    package = tmp_path / "purgecss"
    package.mkdir()
    (package / "package.json").write_text('{"name": "purgecss", "version": "9.0.0"}')
    monkeypatch.setattr(purge_css, "PURGECSS", package)
    assert purge_css.cache_key(SHEETS, WORDS, []) != key
    monkeypatch.undo()
    script = tmp_path / "purge_css.cjs"
    script.write_bytes(purge_css.SCRIPT.read_bytes() + b"\n")
    monkeypatch.setattr(purge_css, "SCRIPT", script)
    assert purge_css.cache_key(SHEETS, WORDS, []) != key


def test_the_words_are_those_of_purgecss_own_extractor(tmp_path: Path) -> None:
    """The words handed to PurgeCSS are the ones its default extractor finds in the files."""
    page = tmp_path / "page.html"
    page.write_text(
        '<p class="md-typeset a_b">中文x-1，「引号」data-md-color-scheme=slate\u00e9t\u00e9</p>',
        encoding="utf-8",
    )
    script = tmp_path / "extract.cjs"
    script.write_text(
        "const { defaultOptions } = require(process.argv[2]);\n"
        "const text = require('fs').readFileSync(process.argv[3], 'utf8');\n"
        "console.log(JSON.stringify([...new Set(defaultOptions.defaultExtractor(text))].sort()));\n"
    )
    node = subprocess.run(
        ["node", str(script), str(purge_css.PURGECSS), str(page)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert purge_css.words([page]) == sorted(json.loads(node.stdout))
    assert "slate" in purge_css.words([page]) and "x-1" in purge_css.words([page])


def test_comments_and_at_rules_left_empty_go_with_the_rules(tmp_path: Path) -> None:
    """PurgeCSS keeps comments, those of the rules it dropped too, and an at-rule whose rules
    all went but a comment; the purge drops them, but a ``/*! ... */`` notice."""
    css = (
        "/*! notice */\n/* the used rule */\n.md-used { color: red }\n"
        "@supports (-moz-appearance: none) {\n  /* a Firefox fix */\n  .md-unused { width: 0 }\n}\n"
        "@media print {\n  @supports (display: grid) {\n    .md-unused { width: 0 }\n  }\n}\n"
        "@supports (display: grid) {\n  /* kept */\n  h1 { margin: 0 }\n}\n"
    )
    purged, _ = purge_css.purge({"a.css": css}, WORDS, tmp_path)
    out = purged["a.css"]
    assert "/*! notice */" in out and "/* " not in out
    assert "md-unused" not in out and "-moz-appearance" not in out and "@media" not in out
    assert ".md-used { color: red }" in out
    assert "@supports (display: grid) {" in out and "h1 { margin: 0 }" in out


def test_right_to_left_rules_go_only_while_no_page_has_the_word(tmp_path: Path) -> None:
    """With "rtl" taken for no attribute value, ``[dir=rtl]`` selectors go and everything
    else stays: ``[dir=ltr]`` ones, a class or an attribute named rtl. A page with
    ``dir="rtl"`` brings them back."""
    css = (
        "[dir=ltr] .md-used{margin-left:1em}[dir=rtl] .md-used{margin-right:1em}"
        "[dir=ltr] h1,[dir=rtl] h1{float:left}.rtl{color:red}[rtl]{color:blue}"
    )
    words = sorted([*WORDS, "dir", "ltr", "rtl"])
    purged, _ = purge_css.purge({"a.css": css}, words, tmp_path, ["rtl"])
    assert purged["a.css"] == (
        "[dir=ltr] .md-used{margin-left:1em}[dir=ltr] h1{float:left}"
        ".rtl{color:red}[rtl]{color:blue}"
    )
    whole, _ = purge_css.purge({"a.css": css}, words, tmp_path)
    assert whole["a.css"] == css


def test_rules_for_tabs_no_tabbed_set_has_go(tmp_path: Path) -> None:
    """With at most 2 tabs in a set, a selector of a tabbed set's 3rd tab goes, its rule too
    when it had no other; the 2nd tab's stay, and so does :nth-child(3) outside tabbed sets.
    Without a count, everything stays."""
    css = (
        ".md-typeset .tabbed-set>input:nth-child(2):checked~.tabbed-labels>:nth-child(2),"
        ".md-typeset .tabbed-set>input:nth-child(3):checked~.tabbed-labels>:nth-child(3)"
        "{color:red}"
        ".md-typeset .tabbed-labels>label:nth-child(3){order:3}"
        "@media print{.md-typeset .tabbed-block:nth-child(3){display:block}}"
        ".md-used:nth-child(3){color:blue}"
    )
    words = sorted([*WORDS, "md-typeset", "tabbed-set", "input", "tabbed-labels", "label"])
    words = sorted([*words, "tabbed-block"])
    purged, _ = purge_css.purge({"a.css": css}, words, tmp_path, tabs=2)
    assert purged["a.css"] == (
        ".md-typeset .tabbed-set>input:nth-child(2):checked~.tabbed-labels>:nth-child(2)"
        "{color:red}.md-used:nth-child(3){color:blue}"
    )
    whole, _ = purge_css.purge({"a.css": css}, words, tmp_path)
    assert whole["a.css"] == css
    three, _ = purge_css.purge({"a.css": css}, words, tmp_path, tabs=3)
    assert three["a.css"] == css


@pytest.mark.parametrize(
    ("pages", "most"),
    [
        ([], 0),
        (["<p>没有标签页</p>"], 0),
        (['<div class="tabbed-set tabbed-alternate" data-tabs="1:2">'] * 2, 2),
        (
            [
                '<div class="tabbed-set tabbed-alternate" data-tabs="1:2">',
                '<div class="tabbed-set" data-tabs="1:2"><div class="tabbed-set" data-tabs="2:6">',
            ],
            6,
        ),
        (
            ['<div class="tabbed-set" data-tabs="1:2"><div class="tabbed-set tabbed-alternate">'],
            None,
        ),
    ],
)
def test_the_most_tabs_a_tabbed_set_of_the_site_has(
    tmp_path: Path, pages: list[str], most: int | None
) -> None:
    files = []
    for i, html in enumerate(pages):
        files.append(tmp_path / f"{i}.html")
        files[-1].write_text(html)
    assert purge_css.most_tabs(files) == most


def _purgeable_site(site: Path, page: str) -> Path:
    """A site with the four stylesheets :func:`purge_css.purge_site` purges; its theme's."""
    sheets = site / "assets" / "stylesheets"
    workers = site / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    sheets.mkdir(parents=True)
    (site / "assets" / "vendor" / "temml").mkdir(parents=True)
    for name, css in SHEETS.items():
        (sheets / name).write_text(css + "\n/*# sourceMappingURL=" + name + ".map*/")
        (sheets / f"{name}.map").write_text("{}")
    (sheets / "extra.css").write_text(".own{color:green}")
    (site / "assets" / "_mkdocstrings.css").write_text(".doc{margin:0}.doc-unused{margin:0}")
    temml = "@font-face{font-family:T;src:url(T.woff2)}mo.tml-prime{font-family:T}menclose{x:0}"
    (site / "assets" / "vendor" / "temml" / "temml.css").write_text(temml)
    (site / "index.html").write_text(page)
    bundle = 'x.classList.add("red");d=e.getAttribute("dir")==="rtl"'
    (site / "assets" / "javascripts" / "bundle.0.min.js").write_text(bundle)
    (workers / "search.0.min.js").write_text("")
    return sheets


def test_a_purged_site_keeps_its_file_names_and_loses_the_stale_maps(tmp_path: Path) -> None:
    page = (
        '<html dir="ltr"><h1 class="md-used doc" data-md-color-primary="indigo">'
        '<mo class="tml-prime">'
    )
    sheets = _purgeable_site(tmp_path, page)
    done = purge_css.purge_site(tmp_path, tmp_path / "cache")
    assert (sheets / "main.0.min.css").read_text() == ".md-used{color:red}h1{margin:0}"
    palette = (sheets / "palette.0.min.css").read_text()  # "red" is a word of the script
    assert palette == SHEETS["palette.0.min.css"]
    assert not list(sheets.glob("*.map"))
    assert (sheets / "extra.css").read_text() == ".own{color:green}"  # the site's own: untouched
    assert done.sizes["main.0.min.css"][1] < done.sizes["main.0.min.css"][0]
    assert (tmp_path / "assets" / "_mkdocstrings.css").read_text() == ".doc{margin:0}"
    temml = (tmp_path / "assets" / "vendor" / "temml" / "temml.css").read_text()
    assert temml == "@font-face{font-family:T;src:url(T.woff2)}mo.tml-prime{font-family:T}"


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ('<p dir="ltr">段落</p>', False),
        ("<p>从右到左 (rtl) 的页面</p><pre><code>&lt;p dir=rtl&gt;</code></pre>", False),
        ('<p dir="rtl">段落</p>', True),
        ("<p DIR=rtl>段落</p>", True),
        ("<script>document.body.dir = 'rtl'</script>", True),
    ],
)
def test_an_element_written_right_to_left_keeps_the_rules_for_it(
    tmp_path: Path, body: str, kept: bool
) -> None:
    """Only an attribute's value or an inline script with "rtl" keeps the rules: prose and
    code that mention it do not."""
    rules = "[dir=ltr] .md-used{margin-left:1em}[dir=rtl] .md-used{margin-right:1em}"
    sheets = {**SHEETS, "main.0.min.css": rules}
    page = f'<html><body dir="ltr"><h1 class="md-used">标题</h1>{body}</body></html>'
    folder = _purgeable_site(tmp_path, page)
    (folder / "main.0.min.css").write_text(sheets["main.0.min.css"])
    purge_css.purge_site(tmp_path, tmp_path / "cache")
    purged = (folder / "main.0.min.css").read_text()
    assert ("[dir=rtl]" in purged) == kept and "[dir=ltr] .md-used" in purged
    assert "rtl" in purge_css.words(purge_css.script_files(tmp_path))  # only the page decides
    assert purge_css.not_attribute_values([tmp_path / "index.html"]) == ([] if kept else ["rtl"])
