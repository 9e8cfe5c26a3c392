"""``make eval``: a two-article corpus with answers right and wrong, scored as expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.evaluate import main

SCRAPED = """普陀区某小区加装电梯开工

2022-10-11 08:45 来源:普陀时讯

普陀区长风新村街道某小区加装电梯项目近日开工，小区成立了加梯临时党支部，由党员牵头做征询。

扫码关注本站公众号获取更多精彩

居民们说，装上电梯以后出门方便多了。
"""

MARKDOWN = """---
title: 徐汇区某小区加梯，签约完成
date: "2023-05-06"
source: 测试周刊
---

徐汇区某小区的居民在红色议事厅里商量加梯方案，最终全票通过。

电梯预计年底投入使用。
"""

EXPECTED = [
    {
        "file": "putuo.txt",
        "title": "普陀区某小区加装电梯竣工",  # wrong on purpose: the page says 开工
        "date": "2022-10-12",  # wrong on purpose
        "district": "普陀区",
        # ASCII commas where the build writes full-width ones: still right.
        "body_first": "普陀区长风新村街道某小区加装电梯项目近日开工,小区成立了加梯临时党支部,由党员牵头做征询。",
        "body_last": "居民们说,装上电梯以后出门方便多了。",
        # Not in the page at all (absent), and body words the build must keep (so present: a miss).
        "boilerplate_markers": ["阅读原文", "居民们说"],
        "methods": [{"tag": "临时党支部", "evidence": "小区成立了加梯临时党支部"}, {"tag": "先易后难", "evidence": ""}],
    },
    {
        "file": "xuhui.md",
        "title": "徐汇区某小区加梯,签约完成",  # an ASCII comma where the page has a full-width one: right
        "date": "2023-05-06",
        "source": "测试周刊",
        "body_first": "徐汇区某小区的居民在红色议事厅里商量加梯方案，最终全票通过。",
        "methods": [
            {"tag": "红色议事厅", "evidence": "居民在红色议事厅里商量加梯方案"},
            {"tag": None, "method": "全票通过", "evidence": "最终全票通过"},
        ],
    },
]


def corpus(tmp_path: Path, expected: list[dict[str, object]]) -> Path:
    root = tmp_path / "corpus"
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "putuo.txt").write_text(SCRAPED, encoding="utf-8")
    (root / "articles" / "xuhui.md").write_text(MARKDOWN, encoding="utf-8")
    (root / "articles" / "empty.txt").write_text("", encoding="utf-8")
    (root / "expected-a.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    return root


def scores(tmp_path: Path, expected: list[dict[str, object]]) -> dict[str, object]:
    out = tmp_path / "eval.json"
    root = corpus(tmp_path, expected)
    assert main([str(root), "--json", str(out), "--misses"]) == 0
    return json.loads(out.read_text(encoding="utf-8"))[str(root)]


def counts(result: dict[str, object], field: str) -> tuple[int, int]:
    entry = result["fields"][field]  # type: ignore[index]
    return entry["right"], entry["of"]


def test_scores_right_and_wrong_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = scores(tmp_path, EXPECTED)
    assert result["files"] == 2 and result["unread"] == 0
    assert counts(result, "title") == (1, 2)
    assert counts(result, "date") == (1, 2)
    assert counts(result, "source") == (1, 1)
    assert counts(result, "district") == (1, 1)
    assert counts(result, "street") == (0, 0)  # not annotated: not scored
    assert counts(result, "body_first kept") == (2, 2)
    assert counts(result, "body_last kept") == (1, 1)
    assert counts(result, "boilerplate absent") == (0, 1)
    assert counts(result, "boilerplate markers absent") == (1, 2)
    assert counts(result, "methods found") == (2, 3)  # 临时党支部 and 红色议事厅, not 先易后难; null tag skipped
    assert counts(result, "evidence grounded") == (2, 2)
    misses = {(m["file"], m["field"]) for m in result["misses"]}  # type: ignore[union-attr]
    assert ("putuo.txt", "title") in misses and ("putuo.txt", "date") in misses
    assert ("putuo.txt", "boilerplate absent") in misses
    assert ("putuo.txt", "methods found") in misses and ("xuhui.md", "title") not in misses
    table = capsys.readouterr().out
    assert "| field | right | of | share |" in table and "| title | 1 | 2 | 50.0% |" in table
    assert "### putuo.txt" in table


def test_a_file_that_cannot_be_read_misses_every_field(tmp_path: Path) -> None:
    expected = [
        {"file": "empty.txt", "title": "标题", "date": None, "district": "普陀区", "methods": [{"tag": "临时党支部"}]}
    ]
    result = scores(tmp_path, expected)
    assert result["unread"] == 1
    for field in ("title", "district", "methods found", "evidence grounded"):
        assert counts(result, field) == (0, 1)
    assert counts(result, "date invented (lower is better)") == (0, 0)


def test_missing_or_invalid_corpus_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "no such corpus" in capsys.readouterr().err
    (tmp_path / "bad" / "articles").mkdir(parents=True)
    (tmp_path / "bad" / "expected.json").write_text('{"file": "x"}', encoding="utf-8")
    assert main([str(tmp_path / "bad")]) == 2
    assert "JSON list of objects" in capsys.readouterr().err


FIGURES = """某区加装电梯推进会召开

2023年5月6日

今年全区已累计完成加装电梯210台。松柏小区的代表说，小区已建成4台电梯，加装总费用为68万。
"""


def test_figures_found_by_value_unit_and_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "corpus"
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "figures.txt").write_text(FIGURES, encoding="utf-8")
    expected = [
        {
            "file": "figures.txt",
            "figures": [
                # The annotator's clause: contained in the build's sentence.
                {"label": "全区累计完成", "value": 210, "unit": "部", "evidence": "全区已累计完成加装电梯210台"},
                # 680000 元 is 68 万元; words shared over at least 8 characters.
                {"label": "造价", "value": 680000, "unit": "元", "evidence": "小区已建成4台电梯,加装总费用为68万"},
                {"label": "户数", "value": "300余", "unit": "户", "evidence": "小区共有300余户"},  # not in the text
                {"label": "造价", "value": "六七十万", "unit": "元", "evidence": "加装总费用"},  # a range
            ],
        }
    ]
    (root / "expected.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "eval.json"
    assert main([str(root), "--json", str(out), "--misses"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))[str(root)]
    assert counts(result, "figures found") == (2, 4)
    misses = [m for m in result["misses"] if m["field"] == "figures found"]
    assert len(misses) == 2 and "not one number" in misses[1]["got"]
    extras = [m["got"] for m in result["misses"] if m["field"] == "extra figure"]
    assert extras == ["已建成电梯 4台 [estate]: 松柏小区的代表说，小区已建成4台电梯，加装总费用为68万。"]
    assert "| figures found | 2 | 4 | 50.0% |" in capsys.readouterr().out
