"""Read a built site: its pages, links, anchors, loaded resources, formulas and figures.

Shared by the built-site tests (``tests/site/``) and ``tools/site_report.py``. Standard library
only: the HTML is read with :mod:`html.parser`, so the checks run wherever Python does.

Vocabulary:

* a **link** is something a reader follows (``<a href>``): it may point anywhere, but when it
  points into the site the file and the ``#anchor`` must exist;
* a **resource** is something the browser loads by itself (script, stylesheet, image, font,
  iframe, CSS ``url()``/``@import``): it must come from the site itself, never a third party.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "site.invalid"  # stands for the site's own origin when resolving URLs
BASE = f"http://{HOST}"

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
# Start tags that close an open <p> (the HTML standard's parsing rules): such an element written
# inside a paragraph is invalid HTML, and the browser splits the paragraph into empty ones.
CLOSES_P = {
    "address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "ul",
}  # fmt: skip
# Attributes through which an element makes the browser load something.
RESOURCE_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
}
# <link rel=...> values that fetch (or open a connection to) their href.
LOADING_RELS = {
    "stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "prefetch", "preconnect",
    "dns-prefetch", "modulepreload", "manifest", "mask-icon", "prerender",
}  # fmt: skip
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)
# Image references the seed notes carried that can never load on a reader's machine.
SEED_LEFTOVER = re.compile(
    r"[A-Za-z]:[\\/]+Users|typora-user-images|zhihu\.com/equation", re.IGNORECASE
)


@dataclass
class Figure:
    """An ``<img>`` or a figure ``<svg>`` in the page's content."""

    kind: str  # "img" or "svg"
    label: str  # alt text or aria-label
    caption: str | None  # the enclosing <figure>'s caption, None when not in a <figure>
    source: str = ""  # img src


@dataclass
class Formula:
    """A formula: its TeX (from the MathML annotation Temml writes when the build typeset it,
    else the element's text) and whether it is a display formula."""

    tex: str
    display: bool
    typeset: bool = False  # its MathML is in the page (the build typeset it)


@dataclass
class Page:
    """What one generated HTML file contains."""

    path: str  # relative to the site root, POSIX style ("api/index.html")
    ids: set[str] = field(default_factory=set)
    duplicate_ids: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # <a href>, <area href>
    resources: list[tuple[str, str]] = field(default_factory=list)  # (what, url)
    formulas: list[Formula] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # seed-note image references
    in_paragraph: list[str] = field(default_factory=list)  # block elements written inside a <p>
    padded_titles: list[str] = field(default_factory=list)  # title="  ..." (tooltip whitespace)
    has_mermaid: bool = False
    has_source_widget: bool = False  # material fetches repository facts for it

    @property
    def url_path(self) -> str:
        """The path a browser requests for this page (``api/`` for ``api/index.html``)."""
        return self.path[: -len("index.html")] if self.path.endswith("index.html") else self.path


class _Parser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.formula: tuple[bool, list[str]] | None = None  # (display, text parts)
        self.formula_depth = 0
        # A formula typeset at build time keeps its TeX in a MathML annotation.
        self.annotation: list[str] | None = None
        self.annotation_depth = 0
        self.figures: list[tuple[list[Figure], list[str]]] = []  # open <figure>s: items, caption
        self.caption_depth = 0
        self.svg_depth = 0
        self.article_depth = 0
        self.code_depth = 0
        self.style_text: list[str] | None = None

    # -- helpers ---------------------------------------------------------------------------
    def _classes(self, attrs: dict[str, str]) -> set[str]:
        return set(attrs.get("class", "").split())

    def _hidden(self) -> bool:
        return any(a.get("aria-hidden") == "true" for _, a in self.stack)

    def _in_paragraph(self) -> bool:
        """Whether the innermost open block is a ``<p>`` (a block inside that block, already
        reported, is not reported again)."""
        for open_tag, _ in reversed(self.stack):
            if open_tag in CLOSES_P:
                return open_tag == "p"
        return False

    def _resource(self, what: str, url: str) -> None:
        if url.strip():
            self.page.resources.append((what, url.strip()))

    def _css(self, what: str, css: str) -> None:
        for m in CSS_URL.finditer(css):
            self._resource(what, m.group(2) if m.group(2) is not None else m.group(4))

    # -- events ----------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v or "") for k, v in attr_list}
        if tag in CLOSES_P and self._in_paragraph():
            self.page.in_paragraph.append(f"<{tag} class={attrs.get('class', '')!r}>")
        self._element(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, attrs))
            self._open(tag, attrs)

    def handle_startendtag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        self._element(tag, {k: (v or "") for k, v in attr_list})

    def _element(self, tag: str, attrs: dict[str, str]) -> None:
        page = self.page
        if "id" in attrs:
            if attrs["id"] in page.ids:
                page.duplicate_ids.append(attrs["id"])
            page.ids.add(attrs["id"])
        if tag == "a" and "name" in attrs:
            page.ids.add(attrs["name"])
        for value in attrs.values():
            if SEED_LEFTOVER.search(value):
                page.leftovers.append(f"<{tag}> {value[:120]}")
        if tag in ("a", "area") and "href" in attrs:
            page.links.append(attrs["href"])
        if "title" in attrs and attrs["title"] != attrs["title"].strip():
            page.padded_titles.append(f"<{tag} title={attrs['title']!r}>")
        for name in RESOURCE_ATTRS.get(tag, ()):
            value = attrs.get(name, "")
            urls = (
                [c.split()[0] for c in value.split(",") if c.strip()]
                if "srcset" in name
                else [value]
            )
            for url in urls:
                self._resource(f"<{tag} {name}>", url)
        if tag == "link":
            rels = set(attrs.get("rel", "").lower().split())
            if rels & LOADING_RELS:
                self._resource(f"<link rel={attrs.get('rel')}>", attrs.get("href", ""))
        if "style" in attrs:
            self._css(f"<{tag} style>", attrs["style"])
        classes = self._classes(attrs)
        if "mermaid" in classes:
            page.has_mermaid = True
        if attrs.get("data-md-component") == "source":
            page.has_source_widget = True
        if self.article_depth and not self._hidden():
            if tag == "img":
                self._figure(
                    Figure("img", attrs.get("alt", "").strip(), None, attrs.get("src", ""))
                )
            elif tag == "svg" and not self.svg_depth and attrs.get("aria-hidden") != "true":
                label = attrs.get("aria-label", "").strip()
                self._figure(Figure("svg", label, None))

    def _figure(self, fig: Figure) -> None:
        if self.figures:
            self.figures[-1][0].append(fig)
        else:
            self.page.figures.append(fig)

    def _open(self, tag: str, attrs: dict[str, str]) -> None:
        classes = self._classes(attrs)
        if tag == "article" or "md-content__inner" in classes:
            self.article_depth += 1
        if tag == "svg":
            self.svg_depth += 1
        if tag in ("code", "pre", "script"):
            self.code_depth += 1
        if tag == "style":
            self.style_text = []
        if "arithmatex" in classes and self.formula is None:
            self.formula = (tag == "div", [])
            self.formula_depth = len(self.stack)
            self.annotation = None
        if (
            tag == "annotation"
            and self.formula is not None
            and attrs.get("encoding") == "application/x-tex"
        ):
            self.annotation = []
            self.annotation_depth = len(self.stack)
        if tag == "figure":
            self.figures.append(([], []))
        if tag == "figcaption" and self.figures:
            self.caption_depth = len(self.stack)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            open_tag, attrs = self.stack.pop()
            self._close(open_tag, attrs)
            if open_tag == tag:
                break

    def _close(self, tag: str, attrs: dict[str, str]) -> None:
        classes = self._classes(attrs)
        depth = len(self.stack)
        if self.annotation is not None and depth < self.annotation_depth:
            self.annotation_depth = 0
        if self.formula is not None and depth < self.formula_depth:
            display, parts = self.formula
            typeset = self.annotation is not None
            tex = "".join(self.annotation if typeset else parts)
            self.page.formulas.append(Formula(tex, display, typeset))
            self.formula = None
            self.annotation = None
        if self.caption_depth and depth < self.caption_depth:
            self.caption_depth = 0
        if tag == "figure" and self.figures:
            items, caption = self.figures.pop()
            text = " ".join("".join(caption).split())
            for fig in items:
                fig.caption = text
                self._figure(fig)
        if tag == "svg":
            self.svg_depth -= 1
        if tag in ("code", "pre", "script"):
            self.code_depth -= 1
        if tag == "style" and self.style_text is not None:
            self._css("<style>", "".join(self.style_text))
            self.style_text = None
        if tag == "article" or "md-content__inner" in classes:
            self.article_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.formula is not None:
            self.formula[1].append(data)
            if self.annotation is not None and self.annotation_depth:
                self.annotation.append(data)
        if self.caption_depth and self.figures:
            self.figures[-1][1].append(data)
        if self.style_text is not None:
            self.style_text.append(data)
        if not self.code_depth and SEED_LEFTOVER.search(data):
            self.page.leftovers.append(f"text: {data.strip()[:120]}")


def parse_page(site: Path, html_file: Path) -> Page:
    page = Page(html_file.relative_to(site).as_posix())
    parser = _Parser(page)
    parser.feed(html_file.read_text(encoding="utf-8"))
    parser.close()
    return page


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def pages(site: Path) -> list[Page]:
    """Every generated HTML page of the site (the 404 page included)."""
    return [parse_page(site, f) for f in html_files(site)]


def site_prefix() -> str:
    """The URL path the site is served under ("/" locally, "/dlref/" for a project site)."""
    path = urlsplit(os.environ.get("DLREF_SITE_URL", "")).path or "/"
    return path if path.endswith("/") else path + "/"


@dataclass
class Target:
    """Where a URL found on a page points."""

    external: bool  # another host, or a scheme such as mailto:
    file: str | None = None  # the site file it names (relative POSIX path), for internal URLs
    fragment: str = ""
    url: str = ""


def resolve(page: Page, url: str, prefix: str = "/") -> Target:
    """Resolve ``url`` as written on ``page``: internal file and anchor, or external."""
    absolute = urljoin(f"{BASE}/{page.path}", url.strip())
    parts = urlsplit(absolute)
    if parts.scheme in ("data", "blob", "about", "javascript"):
        return Target(external=False, url=absolute)
    if parts.netloc != HOST or parts.scheme not in ("http", "https"):
        return Target(external=True, url=absolute)
    path = unquote(parts.path)
    if path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return Target(external=False, file=rel, fragment=unquote(parts.fragment), url=absolute)


def third_party(url: str, base: str = f"{BASE}/index.html") -> bool:
    """Whether loading ``url`` (as written in a file at ``base``) contacts another host."""
    parts = urlsplit(urljoin(base, url.strip()))
    if parts.scheme in ("data", "blob", "about"):
        return False
    return parts.netloc != HOST


def css_urls(css: str) -> list[str]:
    """Every ``url()`` and ``@import`` target in a stylesheet."""
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in CSS_URL.finditer(css)]


# Absolute URLs that appear as string literals in the JavaScript the site ships. Each is listed
# with the condition under which the code would request it; tests check that the condition never
# holds on this site, and the browser tests confirm no page makes a third-party request.
JS_ABSOLUTE_URL = re.compile(r"""["'`]((?:https?:)?//[A-Za-z0-9.-]+[^"'`\s]*)""")
KNOWN_JS_URLS = {
    # XML namespaces: identifiers, never fetched.
    "http://www.w3.org/2000/svg": "namespace",
    "http://www.w3.org/1998/Math/MathML": "namespace",
    "http://www.w3.org/1999/xhtml": "namespace",
    "http://www.w3.org/1999/xlink": "namespace",
    # mkdocs-material: mermaid from a CDN only when a page has a .mermaid block and no global
    # `mermaid` is defined (checked: no page has one).
    "https://unpkg.com/mermaid@11/dist/mermaid.min.js": "mermaid",
    # mkdocs-material: only in browsers without ResizeObserver (every browser since 2020 has it).
    "https://unpkg.com/resize-observer-polyfill": "resize-observer",
    # mkdocs-material: repository facts (stars, forks) for the header's source widget, only when a
    # page has data-md-component="source"; overrides/partials/source.html never renders it.
    "https://api.github.com/repos/${e}/${t}": "source-widget",
    "https://api.github.com/users/${e}": "source-widget",
    "https://${e}/api/v4/projects/${encodeURIComponent(t)}": "source-widget",
}


def js_absolute_urls(js: str) -> list[str]:
    """Absolute http(s) or protocol-relative URL literals in a script."""
    found = []
    for m in JS_ABSOLUTE_URL.finditer(js):
        url = m.group(1)
        if url.startswith("//") and not re.match(r"//[A-Za-z0-9-]+\.[A-Za-z]", url):
            continue  # a comment marker inside a string, not a URL
        found.append(url)
    return found


# -- building ----------------------------------------------------------------------------------
# The same fixed environment as the Makefile exports, for builds started from Python.
BUILD_ENV = {
    "SOURCE_DATE_EPOCH": "1767225600",
    "PYTHONHASHSEED": "0",
    "NO_MKDOCS_2_WARNING": "1",
    "MPLBACKEND": "svg",
    "OMP_NUM_THREADS": "1",
}
# The configuration the Pages workflow publishes, with made-up addresses: site_url under a path,
# repository and edit links set (tests/site/test_static.py checks what it changes).
HOSTED_ENV = {
    "DLREF_SITE_URL": "https://example.org/dlref/",
    "DLREF_REPO_URL": "https://example.org/owner/dlref",
    "DLREF_EDIT_URI": "edit/main/docs/",
}


def build_environment(extra_env: dict[str, str]) -> dict[str, str]:
    """This process's environment with the Makefile's fixed build settings as defaults, then
    ``extra_env`` on top."""
    env = dict(os.environ)
    for key, value in BUILD_ENV.items():
        env.setdefault(key, value)
    env.update(extra_env)
    return env


def build_site(
    dest: Path, *, offline: bool = False, extra_env: dict[str, str] | None = None
) -> Path:
    """Run ``mkdocs build --strict`` into ``dest`` in a new process, with the Makefile's fixed
    environment. Any warning fails it (no ``--quiet``: that silences the warnings before
    ``--strict`` can count them); the output is shown only when it fails."""
    import subprocess
    import sys

    env = build_environment({"DLREF_OFFLINE": "true" if offline else "false", **(extra_env or {})})
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    done = subprocess.run(
        [*mkdocs, "--site-dir", str(dest)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"mkdocs build failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    return dest


def clean_build(dest: Path, *, extra_env: dict[str, str] | None = None) -> Path:
    """A clean build into ``dest``: a new ``mkdocs build`` process with empty caches (a fresh
    folder for jieba's dictionary cache, a fresh matplotlib config/cache folder and an empty
    cache of executed blocks, so every block runs), as on a machine that never built the site.
    The reproducibility test compares such a build with the site under test."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dlref-clean-build-") as tmp:
        caches = {
            "TMPDIR": f"{tmp}/tmp",
            "MPLCONFIGDIR": f"{tmp}/mpl",
            "DLREF_EXEC_CACHE": f"{tmp}/exec",
        }
        for folder in caches.values():
            Path(folder).mkdir()
        return build_site(dest, extra_env={**caches, **(extra_env or {})})
