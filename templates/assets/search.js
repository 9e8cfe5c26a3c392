// Search page: Pagefind's own UI, in Chinese, with the query kept in the URL (?q=…).
(function () {
  var el = document.getElementById("search");
  var params = new URLSearchParams(window.location.search);
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: el.getAttribute("data-bundle"),
    showImages: false,
    resetStyles: false,
    translations: { placeholder: "搜索做法、地名或关键词", zero_results: "没有找到包含“[SEARCH_TERM]”的内容" },
  });
  // Pagefind's input has only a title; give it an accessible name.
  var labelled = new MutationObserver(function () {
    var input = el.querySelector("input.pagefind-ui__search-input");
    if (input) {
      input.setAttribute("aria-label", "搜索做法、地名或关键词");
      labelled.disconnect();
    }
  });
  labelled.observe(el, { childList: true, subtree: true });
  var q = params.get("q");
  if (q) ui.triggerSearch(q);
  document.addEventListener("input", function (e) {
    if (!e.target.matches || !e.target.matches("#search input[type=text], #search input[type=search]")) return;
    var url = new URL(window.location.href);
    if (e.target.value) url.searchParams.set("q", e.target.value); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
  });
})();
