// 加梯案例库 search: Pagefind's JS API over our own character pairs (see liftcases/search_index.py).
// A query is turned into the same characters and pairs the index holds; Pagefind finds the pages that
// have them all; only pages whose text really contains the query are shown. State lives in the URL.
(function () {
  "use strict";
  var PAGE = 10;
  var form = document.getElementById("search-form");
  var base = form.getAttribute("data-base");
  var input = document.getElementById("q");
  var statusEl = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var sortSelect = document.getElementById("f-sort");
  var pagefind = null, t2s = null, methodNames = null, filterValues = null, current = null, generation = 0;

  function getJSON(path) {
    return fetch(base + path).then(function (r) { return r.ok ? r.json() : {}; });
  }

  function load() {
    if (!pagefind) {
      pagefind = import(base + "pagefind/pagefind.js").then(function (pf) {
        return pf.options({ baseUrl: base }).then(function () { pf.init(); return pf; });
      });
      t2s = getJSON("search/t2s.json");
      methodNames = getJSON("search/methods.json");
      filterValues = getJSON("search/filters.json");
    }
    return Promise.all([pagefind, t2s, methodNames, filterValues]);
  }

  // The same rule as search_units() in Python: NFKC, lower case, letters, digits and Chinese only.
  function compact(text, map) {
    var out = "";
    var s = text.normalize("NFKC").toLowerCase();
    for (var i = 0; i < s.length; i++) {
      var ch = s[i];
      if (map && map[ch]) ch = map[ch];
      if (/[\p{L}\p{N}]/u.test(ch)) out += ch;
    }
    return out;
  }

  function terms(query, map) {
    return String(query || "").split(/\s+/).map(function (t) { return compact(t, map); }).filter(Boolean);
  }

  // The word Pagefind indexes for a pair or a lone character: "z" and each code point in five hex
  // digits, as index_word() in search_index.py (Pagefind matches ASCII words reliably, Chinese ones not).
  function word(unit) {
    return "z" + Array.from(unit).map(function (ch) { return ("0000" + ch.codePointAt(0).toString(16)).slice(-5); }).join("");
  }

  // Every pair of a term: a page holds them all if it contains the term.
  function units(term) {
    var chars = Array.from(term);
    if (chars.length === 1) return chars;
    var out = [];
    for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    return out;
  }

  // Pairs that cover a term without overlapping (加装电梯 → 加装 电梯; 先易后难啊 → 先易 后难 难啊): each
  // pair asked of Pagefind costs an index chunk, and the text check removes what the skipped pairs
  // would have. If that check throws too much away, the skipped pairs are asked for after all.
  function cover(term) {
    var all = units(term);
    var out = [];
    for (var i = 0; i < all.length; i += 2) out.push(all[i]);
    if (all.length > 1 && all.length % 2 === 0) out.push(all[all.length - 1]);
    return out;
  }

  function activeFilters() {
    var filters = {};
    selects.forEach(function (s) { if (s.value) filters[s.getAttribute("data-filter")] = s.value; });
    return filters;
  }

  // The case's tag that the query names, as [ref, start, length] of the sentence that earned
  // it in meta.text (start -1 when there is none), or null. meta.tags is one word to Pagefind (see
  // _tags_word in search_records.py): tags joined by ǃ, fields by ǂ; a tag is "t" and its entry's index
  // in search/methods.json ([url, name, alias, …] per tag page; named by the query when its url is in `tagged`).
  function tagOf(meta, found) {
    if (!meta.tags) return null;
    var own = meta.tags.split("\u01c3");
    for (var i = 0; i < own.length; i++) {
      var f = own[i].split("\u01c2"), entry = found.names[+f[0].slice(1)];
      if (entry && found.tagged.indexOf(entry[0]) !== -1) return [f[0], +f[1] - 1, +f[2]];
    }
    return null;
  }

  function contains(meta, ts) {
    var text = compact(meta.title + "\n" + meta.text, null);
    return ts.every(function (t) { return text.indexOf(t) !== -1; });
  }

  // Filters are checked here, on each result's own values (see search_index.py for why).
  // A result's own filter values. meta.filters is one word to Pagefind: filters joined by ǃ, a
  // filter's name and values by ǂ, its values by ǁ. The kind (类型) and methods (做法) shown under a
  // result's title are read from it too, so they are not stored twice.
  function ownFilters(meta) {
    var own = {};
    (meta.filters || "").split("\u01c3").forEach(function (f) {
      var parts = f.split("\u01c2");
      if (parts[0]) own[parts[0]] = parts[1] ? parts[1].split("\u01c1") : [];
    });
    return own;
  }

  function passes(meta, filters) {
    var own = ownFilters(meta);
    return Object.keys(filters).every(function (name) {
      return (own[name] || []).indexOf(filters[name]) !== -1;
    });
  }

  function distinct(ts, pick) {
    var out = [];
    ts.forEach(function (t) { pick(t).forEach(function (u) { if (out.indexOf(u) === -1) out.push(u); }); });
    return out;
  }

  // Pages that may contain every term (the cover pairs), best first; `refine` asks for all pairs.
  function find(query, filters, sort) {
    return load().then(function (loaded) {
      var pf = loaded[0], map = loaded[1], names = loaded[2];
      var ts = terms(query, map);
      var none = { terms: ts, filters: filters, candidates: [], pinned: null, tagged: [], names: [], refine: null, more: null };
      if (!ts.length) return none;
      var some = distinct(ts, cover).map(word), all = distinct(ts, units).map(word);
      var options = {};
      if (sort === "date") options.sort = { date: "desc" };
      // A page whose name or alias is the query (a method, obstacle, district, street or estate) comes
      // first, and every case tagged with it is a result: each such case's record has the tag's word,
      // "y", the page's index in search/methods.json and "q" (so that y1q is no prefix of y12q).
      var joined = ts.join(""), tagged = [], tagWords = [];
      (names || []).forEach(function (m, i) {
        if (m.slice(1).some(function (n) { return compact(n, map) === joined; })) { tagged.push(m[0]); tagWords.push("y" + i + "q"); }
      });
      var pinned = tagged.length ? base + tagged[0].replace(/^\//, "") : null;
      // Pagefind drops a word that matches nothing; a query with such a word matches no page by its text.
      return Promise.all(some.map(function (u) { return pf.search(u); })).then(function (each) {
        var byText = each.some(function (r) { return r.results.length === 0; }) ? null : pf.search(some.join(" "), options);
        if (!byText && !tagWords.length) return none;
        // The cases found only by their tag come after those whose text has the query, asked for when
        // those run out: a tag word's index chunk is large, and the first page rarely needs it.
        var more = tagWords.length ? function () {
          return Promise.all(tagWords.map(function (w) { return pf.search(w, options); })).then(function (rs) {
            return [].concat.apply([], rs.map(function (r) { return r.results; }));
          });
        } : null;
        return (byText || Promise.resolve({ results: [] })).then(function (r) {
          var candidates = r.results;
          var skipped = all.filter(function (u) { return some.indexOf(u) === -1; });
          var refine = skipped.length && byText && !tagWords.length ? function () {
            return Promise.all(skipped.map(function (u) { return pf.search(u); })).then(function (each) {
              if (each.some(function (r) { return r.results.length === 0; })) return [];
              return pf.search(all.join(" "), options).then(function (r) { return r.results; });
            });
          } : null;
          return { terms: ts, filters: filters, candidates: candidates, pinned: pinned, tagged: tagged, names: names || [], refine: refine, more: more };
        });
      });
    });
  }

  var REFINE_AFTER = 20;  // candidates checked before judging whether the cover pairs were enough

  function Cursor(found) {
    this.found = found;
    this.next = 0;
    this.hits = [];
    this.matched = 0;  // candidates checked whose text has the query (filters aside)
    var pinned = found.pinned;
    // A method page whose name or alias is the query comes first.
    found.candidates.sort(function (a, b) { return (b.url === pinned) - (a.url === pinned); });
  }
  Cursor.prototype.take = function (n) {
    var self = this, wanted = self.hits.length + n;
    function step() {
      if (self.hits.length < wanted && self.next >= self.found.candidates.length && self.found.more) {
        var more = self.found.more, seen = {};
        self.found.more = null;
        self.found.candidates.forEach(function (c) { seen[c.id] = true; });
        return more().then(function (tagged) {
          tagged.forEach(function (c) { if (!seen[c.id]) { seen[c.id] = true; self.found.candidates.push(c); } });
          return step();
        });
      }
      if (self.hits.length >= wanted || self.next >= self.found.candidates.length) return Promise.resolve(self.hits);
      var batch = self.found.candidates.slice(self.next, self.next + PAGE);  // a page at a time, even for the test hook
      self.next += batch.length;
      return Promise.all(batch.map(function (c) { return c.data(); })).then(function (data) {
        data.forEach(function (d) {
          d.tag = tagOf(d.meta, self.found);
          var hit = d.tag !== null || contains(d.meta, self.found.terms);
          if (hit) self.matched += 1;
          if (hit && passes(d.meta, self.found.filters)) self.hits.push(d);
        });
        // Most candidates so far lack the query: the skipped pairs would have ruled them out. Ask for
        // them now and go on with the pages that have every pair (none of those checked is lost:
        // they are skipped by id).
        if (self.found.refine && self.next >= REFINE_AFTER && self.matched * 2 < self.next) {
          var refine = self.found.refine, seen = {};
          self.found.refine = null;
          self.found.candidates.slice(0, self.next).forEach(function (c) { seen[c.id] = true; });
          return refine().then(function (exact) {
            var rest = exact.filter(function (c) { return !seen[c.id]; });
            self.found.candidates = self.found.candidates.slice(0, self.next).concat(rest);
            return step();
          });
        }
        return step();
      });
    }
    return step().then(function () {
      return self.found.pinned ? self.hits.sort(function (a, b) { return (b.url === self.found.pinned) - (a.url === self.found.pinned); }) : self.hits;
    });
  };
  Cursor.prototype.done = function () { return this.next >= this.found.candidates.length && !this.found.more; };

  function excerpt(meta, ts, tag) {
    // A case found by its tag shows the sentence that earned the tag, as the tag's own page does.
    var source = tag && tag[1] >= 0 ? meta.text.slice(tag[1], tag[1] + tag[2]) : meta.text;
    var text = source.replace(/\s+/g, " ");
    var at = -1, len = 0;
    ts.forEach(function (t) { var i = text.indexOf(t); if (i !== -1 && (at === -1 || i < at)) { at = i; len = t.length; } });
    var p = document.createElement("p");
    p.className = "excerpt";
    if (at === -1) { p.textContent = tag ? text : text.slice(0, 90) + (text.length > 90 ? "…" : ""); return p; }
    var start = Math.max(0, at - 40), end = Math.min(text.length, at + len + 50);
    p.appendChild(document.createTextNode((start > 0 ? "…" : "") + text.slice(start, at)));
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + len);
    p.appendChild(mark);
    p.appendChild(document.createTextNode(text.slice(at + len, end) + (end < text.length ? "…" : "")));
    return p;
  }

  function item(d, ts) {
    var li = document.createElement("li");
    var h = document.createElement("h2");
    var a = document.createElement("a");
    a.href = d.url;
    a.textContent = d.meta.title;
    h.appendChild(a);
    li.appendChild(h);
    var info = document.createElement("p");
    info.className = "meta";
    var own = ownFilters(d.meta);
    info.textContent = [(own["类型"] || [])[0], d.meta.place, d.meta.date].filter(Boolean).join(" · ");
    li.appendChild(info);
    if ((own["做法"] || []).length) {
      var m = document.createElement("p");
      m.className = "meta";
      m.textContent = "做法：" + own["做法"].join("、");
      li.appendChild(m);
    }
    li.appendChild(excerpt(d.meta, ts, d.tag));
    return li;
  }

  function show(cursor, replace) {
    return cursor.take(PAGE).then(function (hits) {
      if (replace) list.textContent = "";
      var shown = list.children.length;
      hits.slice(shown).forEach(function (d) { list.appendChild(item(d, cursor.found.terms)); });
      var q = input.value.trim();
      if (!hits.length) {
        statusEl.textContent = "没有找到包含“" + q + "”的案例或做法。可以换个说法，或减少筛选条件。";
      } else {
        statusEl.textContent = (cursor.done() ? "找到 " + hits.length + " 个结果" : "已显示 " + hits.length + " 个结果，还有更多") + "：" + q;
      }
      more.hidden = cursor.done();
    });
  }

  function syncURL() {
    var url = new URL(window.location.href);
    url.search = "";
    if (input.value.trim()) url.searchParams.set("q", input.value.trim());
    selects.concat([sortSelect]).forEach(function (s) { if (s.value) url.searchParams.set(s.name, s.value); });
    history.replaceState(null, "", url);
  }

  function run() {
    syncURL();
    var q = input.value.trim(), mine = ++generation;
    if (!q) { list.textContent = ""; statusEl.textContent = ""; more.hidden = true; return Promise.resolve(); }
    statusEl.textContent = "正在搜索……";
    return find(q, activeFilters(), sortSelect.value).then(function (found) {
      if (mine !== generation) return;
      current = new Cursor(found);
      return show(current, true);
    });
  }

  function fillFilters() {
    return load().then(function (loaded) {
      var all = loaded[3] || {};
      return Promise.resolve().then(function () {
        selects.forEach(function (s) {
          var values = all[s.getAttribute("data-filter")] || {};
          var keys = Object.keys(values).sort();
          if (s.name === "year") keys.reverse();  // newest year first
          keys.forEach(function (v) {
            var o = document.createElement("option");
            o.value = v;
            o.textContent = v + "（" + values[v] + "）";
            s.appendChild(o);
          });
        });
      });
    });
  }

  var timer = null;
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 250); });
  form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  selects.concat([sortSelect]).forEach(function (s) { s.addEventListener("change", run); });
  more.addEventListener("click", function () { if (current) show(current, false); });

  // Tests call this: every page that contains the query, after checking every candidate.
  window.jiatiSearch = function (query, filters, sort) {
    return find(query, filters || {}, sort || "").then(function (found) {
      var cursor = new Cursor(found);
      return cursor.take(Infinity).then(function (hits) {
        return hits.map(function (d) { return d.url.replace(base, "/"); });
      });
    });
  };

  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  fillFilters().then(function () {
    selects.concat([sortSelect]).forEach(function (s) { if (params.get(s.name)) s.value = params.get(s.name); });
    if (input.value) run();
  });
})();
