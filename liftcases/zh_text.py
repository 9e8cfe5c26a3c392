"""Chinese text helpers: script conversion, punctuation, sentences, slugs.

Pure functions on strings; no knowledge of articles or files.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc
from pypinyin import lazy_pinyin

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
# Full-width forms for ASCII punctuation that touches a Chinese character.
_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_NEAR_CJK = re.compile(rf"(?<=[{CJK}“”%])\s*([,:;?!])\s*|\s*([,:;?!])\s*(?=[{CJK}“”])")
_PAREN = re.compile(rf"\(([^()\n]*[{CJK}][^()\n]*)\)")
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
# A bracketed syllable right after a character, with a tone mark or tone number.
_PINYIN = re.compile(
    rf"(?<=[{CJK}])[（(](?=[a-z{_TONED}]*(?:[{_TONED}]|[a-z][1-5][）)]))[a-z{_TONED}]{{1,6}}[1-5]?[）)]"
)
# Classic debris of wrong decoding ("锟斤拷" is U+FFFD encoded as UTF-8 and read as GBK).
MOJIBAKE_MARKERS = ("锟斤拷", "烫烫烫", "屯屯屯", "ï¼", "â€", "Ã©", "Ã¨")
# Latin-1 letters and signs that UTF-8 bytes turn into; · ° × ÷ ± also occur in real Chinese text.
_LATIN1_DEBRIS = {chr(c) for c in range(0xA1, 0x100)} - set("·°×÷±") | set("€™ˆ˜šžŸ")
MOJIBAKE_SHARE = 0.3
_DEBRIS_RE = re.compile("[\ufffd" + re.escape("".join(sorted(_LATIN1_DEBRIS))) + "]")
_SPACES = re.compile(r"\s")
_CORNER = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’"})
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}，。！？；：“”])[ \t\u3000]+(?=[{CJK}，。！？；：“”])")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    # Phrase-level conversion (OpenCC's t2s dictionaries), not character by character.
    return opencc.OpenCC("t2s")


def cjk_count(text: str) -> int:
    return len(_CJK_RE.findall(text))


def to_simplified(text: str) -> str:
    return _t2s().convert(text) if text else text


def traditional_share(text: str) -> float:
    """Share of Chinese characters that OpenCC changes when converting to Simplified."""
    total = cjk_count(text)
    if not total:
        return 0.0
    converted = to_simplified(text)
    changed = sum(1 for a, b in zip(text, converted, strict=False) if a != b and _CJK_RE.match(a))
    return changed / total


def strip_pinyin(text: str) -> str:
    """Drop pinyin that some converters put after characters: ``區(qū)`` is ``區``."""
    return _PINYIN.sub("", text)


def _common_simplified(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def looks_mojibake(line: str) -> bool:
    """Text decoded with the wrong encoding: replacement characters, Latin-1 debris, or a run of rare
    characters (UTF-8 read as GBK). Call it on Simplified text: Traditional characters are rare in GB2312."""
    if any(marker in line for marker in MOJIBAKE_MARKERS):
        return True
    visible = len(line) - len(_SPACES.findall(line))
    if visible < 4:
        return False
    if len(_DEBRIS_RE.findall(line)) / visible > MOJIBAKE_SHARE:
        return True
    cjk = _CJK_RE.findall(line)
    if len(cjk) < 6 or _common_simplified("".join(cjk)):  # one call settles the usual all-common line
        return False
    return sum(not _common_simplified(c) for c in cjk) / len(cjk) > MOJIBAKE_SHARE


def normalise_punctuation(text: str) -> str:
    """ASCII punctuation touching Chinese becomes full-width; corner quotes become “ ”."""
    text = unicodedata.normalize("NFC", text).translate(_CORNER)
    text = pair_quotes(text.replace("\u00a0", " ").replace("\u200b", ""))
    text = _NEAR_CJK.sub(lambda m: _FULL[m.group(1) or m.group(2)], text)
    text = _PAREN.sub(r"（\1）", text)
    return close_cjk_spaces(text).strip()


def close_cjk_spaces(text: str) -> str:
    """No space between two Chinese characters (a layout gap, not a word break)."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def pair_quotes(text: str) -> str:
    """Straight double quotes inside Chinese text become paired “ ”."""
    if '"' not in text or not _CJK_RE.search(text):
        return text
    out, opening = [], True
    for ch in text:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


_OPEN = "“‘「『（(【"
_CLOSE = "”’」』）)】"
_TERMINATORS = "。！？；!?…"
QUOTE_REACH = 150
# After a quoted question or exclamation, these mean the sentence goes on: “怎么走？”“有影响吗？”等问题.
_GOES_ON = "“‘「、，,等和与及的"
_SENTENCE_STOPS = re.compile("[\n" + re.escape(_OPEN + _CLOSE + _TERMINATORS) + "]")


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, each ending with its own punctuation and closing quotes. A terminator
    inside quotation marks ends the sentence only when the quote closes and nothing continues it."""
    sentences: list[str] = []
    start, depth, i = 0, 0, 0
    while True:
        stop = _SENTENCE_STOPS.search(text, i)  # jump over the plain characters between marks
        if stop is None:
            break
        i = stop.start()
        ch = text[i]
        if ch == "\n":
            sentences.append(text[start:i])
            start, depth = i + 1, 0
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _TERMINATORS:
            if depth and not any(c in _CLOSE for c in text[i : i + QUOTE_REACH]):
                depth = 0  # a quotation mark that never closes must not swallow the paragraph
            j = i + 1
            while j < len(text) and text[j] in _TERMINATORS:
                j += 1
            closing = depth
            while j < len(text) and text[j] in _CLOSE and closing > 0:
                j += 1
                closing -= 1
            if closing == 0 and (j >= len(text) or text[j] not in _GOES_ON or depth == 0):
                sentences.append(text[start:j])
                start, depth = j, 0
                i = j
                continue
        i += 1
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


# Everything str.isalnum() refuses: \W is its complement plus the underscore (CPython's sre).
_NOT_ALNUM = re.compile(r"[\W_]+")


def compact(text: str) -> str:
    """Letters and digits only, for comparing two spellings of the same title."""
    return _NOT_ALNUM.sub("", text)


@lru_cache(maxsize=65536)  # pure; the templates ask for the same few slugs (method and place anchors) on every page
def slugify(text: str, sep: str = "-") -> str:
    """An ASCII slug: Chinese becomes pinyin (syllables joined by ``sep``), anything else not [a-z0-9]
    becomes a hyphen."""
    if _CJK_RE.search(text):
        text = sep.join(lazy_pinyin(text, errors="default"))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# Readings a place name takes where pypinyin's everyday one is wrong: 长 is chang in place names
# (长风, 长宁, 长白), and 行 is hang in 闵行 and 曹行.
_PLACE_PHRASES = {"闵行": "minhang", "曹行": "caohang"}
_PLACE_CHARS = {"长": "chang"}


def place_slug(name: str) -> str:
    """An ASCII slug for a place name, syllables run together like the districts' (putuo, changning)."""
    for phrase, reading in _PLACE_PHRASES.items():
        name = name.replace(phrase, f" {reading} ")
    name = "".join(f" {_PLACE_CHARS[ch]} " if ch in _PLACE_CHARS else ch for ch in name)
    return slugify(name, sep="").replace("-", "")


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMBER = "[零〇一二两三四五六七八九十百千万]+"


def parse_number(text: str) -> float | None:
    """An Arabic number (3,250 / 38.2) or a Chinese one (六, 十二, 一百四十四, 三万) as a float."""
    text = text.replace(",", "").replace("，", "").strip()
    try:
        return float(text)
    except ValueError:
        pass
    if not text or any(ch not in _DIGITS and ch not in _UNITS and ch != "万" for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:  # 万
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
    return float(total + section + (digit or 0))
