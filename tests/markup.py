"""Find markup in a built page that could run script or load from elsewhere."""

from __future__ import annotations

from bs4 import BeautifulSoup

OWN_SCRIPT_PREFIXES = ("/assets/", "/pagefind/")
URL_ATTRS = ("href", "src", "action", "formaction", "srcset", "poster", "data")


def forbidden_markup(html: str, base: str = "/") -> list[str]:
    """Every script not the site's own, event handler, javascript:/data: URL, frame, form or inline style."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for tag in soup.find_all(True):
        if tag.name == "script":
            src = str(tag.get("src", ""))
            if not src.startswith(tuple(base + p.lstrip("/") for p in OWN_SCRIPT_PREFIXES)) or tag.string:
                found.append(f"script {src or tag.string!r}")
        if tag.name in ("iframe", "frame", "object", "embed", "base"):
            found.append(tag.name)
        if tag.name == "meta" and str(tag.get("http-equiv", "")).lower() == "refresh":
            found.append("meta refresh")
        for attr, value in tag.attrs.items():
            if attr.lower().startswith("on"):
                found.append(f"{tag.name} {attr}")
            if attr == "style":
                found.append(f"{tag.name} style")
            if attr in URL_ATTRS and str(value).strip().lower().startswith(("javascript:", "vbscript:", "data:")):
                found.append(f"{tag.name} {attr}={value}")
    return found
