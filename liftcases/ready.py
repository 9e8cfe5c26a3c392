"""Ready to publish: what would make the published site wrong although the build succeeded, each said as
the fix. ``make check`` lists them; ``make build`` says them once, after its summary.

They are not problems of an article (they never fail ``--strict``): a preview needs no ``site_url``,
and drafts are meant to wait.
"""

from __future__ import annotations

from .assemble import Site
from .contexts import UNSURE_BELOW, confidence
from .settings import Settings

NAMED = 5  # files named in a fix before "等 N 篇"


def _named(rels: list[str]) -> str:
    more = f" 等 {len(rels)} 篇" if len(rels) > NAMED else ""
    return "、".join(rels[:NAMED]) + more


def before_publishing(site: Site, settings: Settings) -> tuple[str, ...]:
    """Each thing to do before the site is published, as one line that says what and why."""
    fixes = []
    if not settings.site_url:
        fixes.append(
            "content/site.yaml 没有写 site_url（网站的完整地址，格式如 https://域名）：所以没有生成站点地图 "
            "sitemap.xml（它只能用完整地址），订阅源里的链接也只是站内路径。发布前请写上 site_url。"
        )
    if site.drafts:
        rels = [c.article.source.rel for c in site.drafts]
        fixes.append(f"{len(rels)} 篇草稿不会发布：{_named(rels)}。写好后删掉前置信息里的 draft: true。")
    unsure = [c.article.source.rel for c in site.cases if not c.draft and confidence(c) < UNSURE_BELOW]
    if unsure:
        fixes.append(
            f"{len(unsure)} 个案例识别得把握不大（编辑核查页 /review/ 上低于 {UNSURE_BELOW}%）：{_named(unsure)}。"
            "请到核查页看一眼，识别错的项在前置信息里写明。"
        )
    return tuple(fixes)
