"""What a first visit downloads: the stylesheets and scripts the home page and the sign-up page link, read from
the static files (as collectstatic would serve them) and gzipped as WhiteNoise serves them, stay within 30 KB.

A phone on a 400 kbps link spends about a second per 50 KB; the full Bootstrap CSS and JS bundle cost 54 KB
gzipped before the portal drew anything. The trimmed stylesheet is built by tools/trim_bootstrap.py.
"""

import gzip
import importlib.util
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 30 * 1024
ASSET = re.compile(r'<(?:link[^>]*\brel="stylesheet"[^>]*\bhref|script[^>]*\bsrc)="([^"]+)"')


def _trim_tool():
    spec = importlib.util.spec_from_file_location("trim_bootstrap", ROOT / "tools/trim_bootstrap.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _assets(html: str) -> list[str]:
    """The static paths ("css/portal.css") of the stylesheets and scripts a page links."""
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    return [url.removeprefix(prefix) for url in ASSET.findall(html)]


@pytest.mark.django_db
def test_a_first_visit_downloads_at_most_30_kb_of_css_and_js_gzipped(client):
    paths = []
    for url in ("/", "/daftar/"):
        paths += [path for path in _assets(client.get(url).content.decode()) if path not in paths]

    sizes = {path: len(gzip.compress(Path(finders.find(path)).read_bytes(), compresslevel=9)) for path in paths}

    assert any(path.endswith(".css") for path in sizes) and any(path.endswith(".js") for path in sizes), sizes
    assert sum(sizes.values()) <= BUDGET, sizes


@pytest.mark.django_db
def test_no_page_loads_bootstraps_javascript(client):
    # The menu is a <details>, so nothing needs Bootstrap's collapse or dropdown scripts.
    assert not [
        path for path in _assets(client.get("/").content.decode()) if "bootstrap" in path and path.endswith(".js")
    ]


def test_the_trimmed_bootstrap_is_built_from_the_current_templates():
    tool = _trim_tool()

    assert tool.OUTPUT.read_text(encoding="utf-8") == tool.build(), "run .venv/bin/python tools/trim_bootstrap.py"


def test_the_trim_keeps_a_rule_only_when_every_class_of_its_selector_is_used():
    tool = _trim_tool()
    css = ".a{x:1}.b{x:2}.a .b{x:3}.a:not(.c){x:4}@media (min-width:1px){.b{x:5}.a{x:6}}[data-bs-theme=dark]{x:7}p{x:8}"

    trimmed = tool.serialize(tool.trim(tool.parse(css), {"a"}))

    assert trimmed == ".a{x:1}.a:not(.c){x:4}@media (min-width:1px){.a{x:6}}p{x:8}"
