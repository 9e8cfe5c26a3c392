"""The article's lines between the stages of normalise: credits taken out, sub-headings recovered.

A Line is one paragraph, heading or image on its way to becoming a Block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .model import Block, Credit, Image
from .zh_text import cjk_count

CREDIT_ROLES = "记者|通讯员|编辑|责任编辑|责编|校对|摄影|摄像|审核|撰稿|作者|文字|文|图|视频|统筹|监制|编审"
# 记者：张三, （记者 张三）, and with the newsroom before the role: （总台央视记者 李四 王五）.
_CREDIT_LINE = re.compile(
    rf"^[（(]?\s*(?:[^\s（()）：:，。]{{2,8}}?(?=记者|通讯员))?({CREDIT_ROLES})\s*[：:｜|丨/]?\s*([^，。；：:]{{1,30}}?)\s*[）)]?$"
)
_CREDIT_TAIL = re.compile(rf"[（(]\s*((?:(?:{CREDIT_ROLES})\s*[：:]?\s*[^（()）]{{1,12}}?\s*)+)[）)]\s*$")
_MAIN_ROLES = "记者|通讯员|编辑|责任编辑|责编|校对|摄影|摄像"
# “新民晚报讯（记者 张三 通讯员 李四）” or a bare “（记者 张三）” opening a paragraph.
_CREDIT_HEAD = re.compile(
    rf"^([^\s，。（(]{{2,12}}讯|[^\s，。（(]{{2,16}}?\d{{1,2}}月\d{{1,2}}日电)?\s*[（(]\s*"
    rf"((?:(?:{_MAIN_ROLES})\s*[：:]?\s*[^（()）]{{1,12}}?\s*)+)[）)]\s*"
)
# The publisher in 新民晚报讯 and in 新华网上海3月8日电 (a place of two to four characters before the date).
_AGENCY_OF = re.compile(r"^(.+?)讯$|^(.{2,10}?(?:网|社|报|台|新闻))[^\s，。]{0,6}?\d{1,2}月\d{1,2}日电$")
# The news formulas that open a lead: 央视网消息：…, 东方网记者张三9月5日报道：… (publisher, reporter).
_LEAD_FORMULA = re.compile(
    r"^(?!本报|本网|本台)([^\s，。（(“”]{2,10}?)(?:消息|讯)[：:]\s*"
    r"|^(?!本报|本网|本台)([^\s，。（(“”]{2,10}?)记者\s*([^\s，。\d]{2,4}?)\s*\d{1,2}月\d{1,2}日(?:报道|电)[：:]\s*"
)
_CREDIT_PAIR = re.compile(rf"({_MAIN_ROLES})\s*[：:]?\s*(.+?)\s*(?=(?:{_MAIN_ROLES})|$)")
_LEAD_LABEL = re.compile(r"^(导语|导读|摘要|编者按)[：:]\s*")
_END_PUNCT = re.compile(r"[。！？!?…；;：:，,”’）)]$")
HEADING_MAX = 30


@dataclass(frozen=True)
class Line:
    text: str
    bold: bool = False
    heading: int = 0
    image: Image | None = None
    original: str = ""


def take_credits(lines: list[Line]) -> tuple[list[Line], list[Credit], list[str], list[str]]:
    """(lines without credits, the credits, publishers named by 某某讯, lead labels cut): a credit line
    (记者：张三), a credit opening (新民晚报讯（记者 张三）) or closing ((编辑 李四)) a paragraph."""
    out: list[Line] = []
    credits: list[Credit] = []
    publishers: list[str] = []
    labels: list[str] = []
    for line in lines:
        m = _CREDIT_LINE.match(line.text) if not line.image else None
        if m and cjk_count(m.group(2)) <= 12:
            credits.append(Credit(m.group(1), m.group(2).strip()))
            continue
        head = _CREDIT_HEAD.match(line.text) if not line.image else None
        if head and len(line.text) > len(head.group(0)):
            for role, names in _CREDIT_PAIR.findall(head.group(2)):
                credits.append(Credit(role, names))
            agency = _AGENCY_OF.match(head.group(1) or "")
            name = (agency.group(1) or agency.group(2)) if agency else ""
            if name and not name.startswith(("本报", "本网", "本台", "本刊")):
                publishers.append(name)  # 新民晚报讯, 新华社上海3月8日电 name the publisher
            line = replace(line, text=line.text[head.end() :])
        formula = _LEAD_FORMULA.match(line.text) if not line.image and not out else None
        if formula and len(line.text) > len(formula.group(0)):
            publishers.append(formula.group(1) or formula.group(2))
            credits.extend([Credit("记者", formula.group(3))] if formula.group(3) else [])
            line = replace(line, text=line.text[formula.end() :])
        tail = _CREDIT_TAIL.search(line.text) if not line.image else None
        if tail and len(line.text) > len(tail.group(0)):
            for role, names in _CREDIT_PAIR.findall(tail.group(1)):
                credits.append(Credit(role, names))
            line = replace(line, text=line.text[: tail.start()].rstrip())
        label = _LEAD_LABEL.match(line.text)
        if label and len(line.text) > len(label.group(0)):
            labels.append(label.group(0).strip())
            line = replace(line, text=line.text[label.end() :])
        out.append(line)
    return out, credits, publishers, labels


def structure(lines: list[Line], plain: bool) -> list[Block]:
    """Recover sub-headings and drop repeats: bold-only short lines, HTML headings, and in plain
    text (which has no bold) short unpunctuated lines standing between paragraphs become headings."""
    blocks: list[Block] = []
    seen: set[str] = set()
    for n, line in enumerate(lines):
        if line.image:
            if not blocks or blocks[-1].image != line.image:
                blocks.append(Block("img", image=line.image))
            continue
        original = line.original
        text = line.text
        if text in seen and len(text) > HEADING_MAX:
            continue  # a lead repeated under 导语/导读, or a paragraph pasted twice
        seen.add(text)
        short = len(text) <= HEADING_MAX and not _END_PUNCT.search(text)
        nxt = next((ln for ln in lines[n + 1 :] if not ln.image), None)
        between = plain and nxt is not None and len(nxt.text) > HEADING_MAX and bool(blocks)
        if short and (line.heading or line.bold or between) and nxt is not None:
            level = "h3" if blocks and blocks[-1].kind == "h2" else "h2"
            blocks.append(Block(level, text=text, original=original))
        else:
            blocks.append(Block("p", text=text, original=original))
    while blocks and blocks[-1].kind in ("h2", "h3"):
        blocks.pop()
    return blocks
