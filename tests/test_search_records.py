"""The search records' metadata shield: written in Python (search_index.shield), taken off in search.js."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from liftcases.search_index import SHIELD, WORD_BREAK, record_html, shield

SEARCH_JS = Path(__file__).resolve().parent.parent / "templates" / "assets" / "search.js"


def js_unshield_pattern() -> str:
    """The regex literal of search.js's SHIELDED, as Python reads it."""
    literal = re.search(r"var SHIELDED = /(.+)/g;", SEARCH_JS.read_text(encoding="utf-8")).group(1)
    return literal.replace("\\/", "/")


def unshield(value: str) -> str:
    return re.sub(js_unshield_pattern(), r"\1", value)


def test_search_js_takes_off_what_the_build_puts_on_after_every_character():
    """The two rules agree on every character up to the CJK block: what one shields the other unshields."""
    for code in range(0x3100):
        text = f"甲{chr(code)}乙"
        assert unshield(shield(text)) == text, hex(code)


@given(st.text(alphabet=st.sampled_from(list('加装电梯 \n\t\u3000,.:"[]{}_-+()“”，ǂa1')), max_size=40))
def test_shield_round_trips_and_leaves_no_word_unshielded(text: str):
    shielded = shield(text)
    assert unshield(shielded) == text
    # Every word Pagefind would start (at the start, after white space or ASCII punctuation) starts with SHIELD.
    assert shielded.startswith(SHIELD)
    for m in re.finditer(WORD_BREAK + "+", shielded):
        assert shielded[m.end() : m.end() + 1] == SHIELD


def test_a_record_page_has_no_unshielded_metadata_words():
    from liftcases.search_index import Record

    page = record_html(Record("/x/", "加装 装电", {"title": "标题", "text": "甲 乙,丙"}, {}, {}))
    assert '<p data-pagefind-meta="text">ǂ甲 ǂ乙,ǂ丙</p>' in page and "<title>ǂ标题</title>" in page
