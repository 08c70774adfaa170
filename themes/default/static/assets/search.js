// termtrail search: loads the build's index (search-index.json) once, then ranks its entries
// by the words typed: every word must start a word of the entry (its title, platform and
// document, text or topics); a word in a title counts more than one in the text, a whole word
// more than the start of one, the words together as a phrase more still.
// No dependencies; the index's fields are described in src/render/files.rs.
(function () {
  "use strict";
  var script = document.currentScript;
  var form = document.querySelector(".search-form");
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!script || !input || !list || !status) return;
  var indexUrl = script.getAttribute("data-index");
  var entries = null;
  var MAX = 50;
  var kinds = { platform: "Platform", section: "Clause", change: "Change record", topic: "Topic", faq: "FAQ" };
  var boost = { platform: 4, topic: 3, faq: 1, change: 1, section: 0 };

  function fold(s) {
    return (s || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  function isWordChar(ch) {
    return /[\p{L}\p{N}]/u.test(ch);
  }
  // Scripts written without spaces between words: there, a term may start anywhere.
  var unspaced = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]/;
  // Where `term` starts a word of `hay` (so "ai" finds "AI" and "AI-generated", not "waiver";
  // "arbitra" finds "arbitration"), looking from `from` on: the first such place, or -1.
  function find(hay, term, from) {
    var i = hay.indexOf(term, from || 0);
    if (unspaced.test(term)) return i;
    for (; i >= 0; i = hay.indexOf(term, i + 1)) {
      if (i === 0 || !isWordChar(hay.charAt(i - 1))) return i;
    }
    return -1;
  }
  // Whether the word found at `at` is the whole term ("ai" in "ai", not in "aim").
  function whole(hay, at, term) {
    var next = hay.charAt(at + term.length);
    return !next || !isWordChar(next);
  }
  function count(hay, term) {
    var n = 0;
    for (var i = find(hay, term); i >= 0 && n < 5; i = find(hay, term, i + term.length)) n++;
    return n;
  }
  function score(e, terms, phrase) {
    var total = boost[e.k] || 0;
    for (var i = 0; i < terms.length; i++) {
      var term = terms[i];
      var inTitle = find(e.ft, term), inContext = find(e.fc, term), inText = find(e.fx, term);
      var inTopics = find(e.fg, term);
      if (inTitle < 0 && inContext < 0 && inText < 0 && inTopics < 0) return 0;
      if (inTitle >= 0) total += whole(e.ft, inTitle, term) ? 10 : 6;
      if (inContext >= 0) total += 3;
      if (inTopics >= 0) total += 2;
      if (inText >= 0) total += (whole(e.fx, inText, term) ? 2 : 1) + 0.5 * count(e.fx, term);
    }
    if (e.ft === phrase) total += 20;
    else if (terms.length > 1 && e.ft.indexOf(phrase) >= 0) total += 8;
    if (terms.length > 1 && e.fx.indexOf(phrase) >= 0) total += 3;
    return total;
  }
  // Appends `text` to `el`, with every occurrence of a term marked.
  function appendMarked(el, text, terms) {
    var folded = fold(text);
    // Folding keeps one character per character for the scripts indexed here; if it did not,
    // give up marking rather than mark the wrong letters.
    if (folded.length !== text.length) { el.appendChild(document.createTextNode(text)); return; }
    var marks = [];
    terms.forEach(function (t) {
      for (var i = find(folded, t); i >= 0; i = find(folded, t, i + t.length)) marks.push([i, i + t.length]);
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    marks.forEach(function (m) {
      if (m[0] < pos) return;
      if (m[0] > pos) el.appendChild(document.createTextNode(text.slice(pos, m[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(m[0], m[1]);
      el.appendChild(mark);
      pos = m[1];
    });
    if (pos < text.length) el.appendChild(document.createTextNode(text.slice(pos)));
  }
  // About 200 characters of the text around the first word found, cut at spaces.
  function snippet(e, terms) {
    var text = e.x || "", at = -1;
    for (var i = 0; i < terms.length && at < 0; i++) at = find(e.fx, terms[i]);
    if (text.length <= 220) return text;
    var start = Math.max(0, at - 70);
    if (start > 0) { var sp = text.indexOf(" ", start); if (sp >= 0 && sp < at) start = sp + 1; }
    var end = Math.min(text.length, start + 200);
    if (end < text.length) { var back = text.lastIndexOf(" ", end); if (back > at) end = back; }
    return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }
  function render(q) {
    list.textContent = "";
    var phrase = fold(q).trim().replace(/\s+/g, " ");
    var terms = phrase.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    if (!terms.length) {
      status.textContent = "Type a word, for example arbitration, training or Netflix.";
      return;
    }
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], terms, phrase);
      if (s > 0) hits.push([s, i]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    var shown = Math.min(hits.length, MAX);
    status.textContent = hits.length === 0
      ? "Nothing found for “" + q.trim() + "”. Try another word, or fewer words."
      : hits.length + (hits.length === 1 ? " result" : " results") + " for “" + q.trim() + "”" +
        (hits.length > shown ? ", the best " + shown + " shown." : ".");
    var frag = document.createDocumentFragment();
    hits.slice(0, shown).forEach(function (h) {
      var e = entries[h[1]];
      var li = document.createElement("li");
      li.className = "result result-" + e.k;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = [kinds[e.k] || e.k, e.c, e.d].filter(Boolean).join(" · ");
      var a = document.createElement("a");
      a.href = e.u;
      appendMarked(a, e.t || "", terms);
      li.appendChild(kind);
      li.appendChild(a);
      var text = snippet(e, terms);
      if (text) {
        var p = document.createElement("p");
        appendMarked(p, text, terms);
        li.appendChild(p);
      }
      // Say why an entry matched through its topics.
      if (e.g && terms.some(function (t) { return find(e.fg, t) >= 0; })) {
        var g = document.createElement("p");
        g.className = "result-topics";
        appendMarked(g, "Topics: " + e.g, terms);
        li.appendChild(g);
      }
      frag.appendChild(li);
    });
    list.appendChild(frag);
  }
  function update() {
    render(input.value);
    var url = new URL(location.href);
    if (input.value.trim()) url.searchParams.set("q", input.value.trim()); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
  }
  status.textContent = "Loading the index…";
  fetch(indexUrl).then(function (r) {
    if (!r.ok) throw new Error(r.status);
    return r.json();
  }).then(function (data) {
    entries = data.map(function (e) {
      e.ft = fold(e.t); e.fc = fold(e.c); e.fx = fold(e.x); e.fg = fold(e.g);
      return e;
    });
    var q = new URLSearchParams(location.search).get("q") || input.value || "";
    input.value = q;
    render(q);
    input.addEventListener("input", update);
    if (form) form.addEventListener("submit", function (ev) { ev.preventDefault(); update(); });
  }).catch(function () {
    status.textContent = "The search index could not be loaded. Browse the platforms and topics instead.";
  });
})();
