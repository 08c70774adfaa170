// termtrail search: loads the build's index once and ranks entries by the words typed.
(function () {
  "use strict";
  var script = document.currentScript;
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!script || !input || !list || !status) return;
  var indexUrl = script.getAttribute("data-index");
  var entries = null;
  var kinds = { platform: "Platform", section: "Clause", change: "Change", topic: "Topic" };

  function fold(s) {
    return (s || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  function score(e, terms) {
    var t = fold(e.t), x = fold(e.x), total = 0;
    for (var i = 0; i < terms.length; i++) {
      var inTitle = t.indexOf(terms[i]) >= 0, inText = x.indexOf(terms[i]) >= 0;
      if (!inTitle && !inText) return 0;
      total += (inTitle ? 3 : 0) + (inText ? 1 : 0);
    }
    return total + (e.k === "platform" || e.k === "topic" ? 1 : 0);
  }
  function snippet(text, term) {
    text = text || "";
    var i = fold(text).indexOf(term);
    var start = Math.max(0, i - 80);
    var s = (start > 0 ? "…" : "") + text.slice(start, start + 220) + (text.length > start + 220 ? "…" : "");
    return s;
  }
  function render(q) {
    list.textContent = "";
    var terms = fold(q).split(/\s+/).filter(Boolean);
    if (!terms.length) { status.textContent = "Type a word, e.g. arbitration, training, Netflix."; return; }
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], terms);
      if (s > 0) hits.push([s, i]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    status.textContent = hits.length + (hits.length === 1 ? " result" : " results") + " for “" + q + "”";
    hits.slice(0, 50).forEach(function (h) {
      var e = entries[h[1]];
      var li = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = (kinds[e.k] || e.k) + (e.d ? " · " + e.d : "");
      var a = document.createElement("a");
      a.href = e.u;
      a.textContent = e.t;
      var p = document.createElement("p");
      p.textContent = snippet(e.x, terms[0]);
      li.appendChild(kind); li.appendChild(document.createElement("br")); li.appendChild(a); li.appendChild(p);
      list.appendChild(li);
    });
  }
  function start() {
    status.textContent = "Loading the index…";
    fetch(indexUrl).then(function (r) { return r.json(); }).then(function (data) {
      entries = data;
      var q = new URLSearchParams(location.search).get("q") || "";
      input.value = q;
      render(q);
      input.addEventListener("input", function () { render(input.value); });
    }).catch(function () { status.textContent = "The search index could not be loaded."; });
  }
  start();
})();
