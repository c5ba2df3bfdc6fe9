/* Sabt memorial: offline name search (no dependencies, no network, no eval).
 * The index (assets/search-index.js) carries the tables of sabt.text; the steps below are
 * those of sabt/publish/search.py, so a query ranks the same here and on the server. */
(function () {
  "use strict";
  var data = window.SABT_MEMORIAL_INDEX;
  if (!data) { return; }
  var T = data.tables, W = T.weights, ZWNJ = "\u200c";
  var rules = T.rules.map(function (r) { return [new RegExp(r[0], "g"), r[1]]; });
  var prefixes = new Set(T.prefixes), suffixes = new Set(T.suffixes);
  var tokens = data.tokens.map(function (t) { return { key: t[0], canon: t[1], skel: t[2] }; });
  var weights = data.weights;

  function isAscii(s) { return /^[\x00-\x7f]*$/.test(s); }
  function words(s) { return s.split(/\s+/).filter(function (w) { return w.length > 0; }); }
  function collapse(s) { return s.replace(/(.)\1+/g, function (m, c) { return c; }); }

  function normalizePersian(s) {
    if (!s) { return ""; }
    if (isAscii(s)) { return words(s).join(" "); }
    var out = "";
    for (var ch of s.normalize("NFKC")) {
      out += Object.prototype.hasOwnProperty.call(T.normalize, ch) ? T.normalize[ch] : ch;
    }
    out = words(out).join(" ");
    if (out.indexOf(ZWNJ) >= 0) {
      out = out.replace(/ *\u200c[ \u200c]*/g, function (m) { return m.indexOf(" ") >= 0 ? " " : ZWNJ; });
      out = out.replace(/^[ \u200c]+|[ \u200c]+$/g, "");
    }
    return out;
  }

  function isPersianToken(tok) {
    for (var ch of tok) {
      var c = ch.codePointAt(0);
      if (c >= 0x600 && c <= 0x6ff && /\p{L}/u.test(ch)) { return true; }
    }
    return false;
  }

  function foldLatin(s) {
    var out = "";
    for (var ch of s.normalize("NFKD").toLowerCase()) {
      if (ch >= "a" && ch <= "z") { out += ch; }
      else if (/\s/.test(ch)) { out += " "; }
      else if (T.apostrophes.indexOf(ch) >= 0 || /\p{M}/u.test(ch)) { continue; }
      else if (Object.prototype.hasOwnProperty.call(T.special, ch)) { out += T.special[ch]; }
    }
    return words(out).join(" ");
  }

  function canonToken(tok) {
    var t = foldLatin(tok).replace(/ /g, "");
    rules.forEach(function (r) {
      var repl = r[1];
      r[0].lastIndex = 0;
      t = t.replace(r[0], repl === "\\1" ? function (m, g) { return g; } : function () { return repl; });
    });
    return t;
  }

  function skeletonLatinToken(canon) {
    if (!canon) { return ""; }
    var head = canon[0], rest = canon.slice(1);
    head = head === "y" ? "y" : head.replace(/[aeiouv]/g, "");
    rest = rest.replace(/y/g, "").replace(/[aeiouv]/g, "");
    var body = head + rest;
    if (body.length > 1 && body[body.length - 1] === "h") { body = body.slice(0, -1); }
    return collapse(body);
  }

  function skeletonPersianToken(tok) {
    var parts = normalizePersian(tok).split(ZWNJ).map(function (part) {
      var chars = Array.from(part);
      if (chars.length > 1 && chars[chars.length - 1] === "ه") { chars.pop(); }
      var head = chars[0] === "ی" ? "y" : "";
      if (head) { chars.shift(); }
      var body = "";
      chars.forEach(function (ch) {
        var m = Object.prototype.hasOwnProperty.call(T.skeleton, ch) ? T.skeleton[ch] : ch;
        for (var c of m) { if (c.codePointAt(0) < 128) { body += c; } }
      });
      return head + body;
    });
    return collapse(parts.join(""));
  }

  function nameKey(s) {
    if (isAscii(s)) { return s.toLowerCase().replace(/[^a-z]+/g, ""); }
    return normalizePersian(s).normalize("NFKD").toLowerCase().replace(/[^\p{L}\p{Nl}\p{No}]+/gu, "");
  }

  var father = new RegExp(T.father, "i");
  var honorLatin = new Set(T.honorifics_latin), honorPersian = new Set(T.honorifics_persian);

  function nameTokens(text) {
    text = Array.from(text).slice(0, T.max_query).join("");
    var m = father.exec(text);
    if (m && m.index > 0) { text = text.slice(0, m.index); }
    var out = [], glue = false;
    words(normalizePersian(text)).forEach(function (tok) {
      var low = isAscii(tok) ? foldLatin(tok) : tok;
      var suffix = suffixes.has(low), prefix = prefixes.has(low);
      if (out.length && (glue || suffix)) { out[out.length - 1] += tok; } else { out.push(tok); }
      glue = prefix;
    });
    out = out.filter(function (t) { return t.length > 0; });
    var own = out.filter(function (t) {
      return !(isPersianToken(t) ? honorPersian.has(nameKey(t)) : honorLatin.has(canonToken(t)));
    });
    return own.length ? own : out;
  }

  function spellings(toks) {
    var out = [toks.slice()];
    for (var i = 0; i < toks.length - 1; i++) {
      if (isAscii(toks[i]) === isAscii(toks[i + 1])) {
        out.push(toks.slice(0, i).concat([toks[i] + toks[i + 1]], toks.slice(i + 2)));
      }
    }
    return out;
  }

  function queryKeys(tok) {
    var persian = isPersianToken(tok);
    return { key: nameKey(tok), canon: persian ? "" : canonToken(tok),
             skel: persian ? skeletonPersianToken(tok) : skeletonLatinToken(canonToken(tok)) };
  }

  function distance(a, b, limit) {
    // edits (insertion, deletion, substitution, swap of neighbours), counted up to limit
    if (Math.abs(a.length - b.length) > limit) { return limit + 1; }
    if (a === b) { return 0; }
    var before = [], row = [], i, j;
    for (j = 0; j <= b.length; j++) { row.push(j); }
    for (i = 1; i <= a.length; i++) {
      var now = [i], low = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var best = Math.min(row[j] + 1, now[j - 1] + 1, row[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          best = Math.min(best, before[j - 2] + 1);
        }
        now.push(best);
        if (best < low) { low = best; }
      }
      if (low > limit) { return limit + 1; }
      before = row; row = now;
    }
    return Math.min(row[b.length], limit + 1);
  }

  function tokenScore(q, w) {
    if (q.key && q.key === w.key) { return W.exact; }
    if (q.canon && q.canon === w.canon) { return W.canon; }
    if (!q.skel || !w.skel) { return 0; }
    if (q.skel === w.skel) { return W.skeleton; }
    var shorter = Math.min(q.skel.length, w.skel.length);
    if (shorter < W.near_min) { return 0; }
    var edits = distance(q.skel, w.skel, 2);
    if (edits === 1) { return W.near; }
    if (edits === 2 && shorter >= W.far_min) { return W.far; }
    return 0;
  }

  function wholeSkeleton(keys) { return collapse(keys.map(function (k) { return k.skel; }).join("")); }

  function nameWholes(keys) {
    // as written, with the last word first, with the first word last
    if (keys.length < 2) { return [wholeSkeleton(keys)]; }
    return [wholeSkeleton(keys), wholeSkeleton([keys[keys.length - 1]].concat(keys.slice(0, -1))),
            wholeSkeleton(keys.slice(1).concat([keys[0]]))];
  }

  // scores[j]: the score of every index token for query token j (computed once per query)
  function nameScore(scores, whole, name) {
    var matched = 0, total = 0, plain = 0, used = new Set(), i;
    scores.forEach(function (perToken) {
      var best = 0, at = -1;
      name.forEach(function (tok, i) {
        var s = perToken[tok] * weights[tok];
        if (s > best && !used.has(i)) { best = s; at = i; }
      });
      if (best) { matched++; total += best; plain += perToken[name[at]]; used.add(at); }
    });
    var sameWhole = !!whole && nameWholes(name.map(function (t) { return tokens[t]; })).indexOf(whole) >= 0;
    if (!sameWhole && matched * 2 < scores.length) { return null; }
    if (!matched && !sameWhole) { return null; }
    if (sameWhole) {
      var most = 0;
      name.forEach(function (tok) { most = Math.max(most, weights[tok]); });
      total += W.whole * most;
    }
    for (i = 0; i < name.length; i++) { if (!used.has(i)) { total -= W.unmatched * weights[name[i]]; } }
    return [total, plain - name.length];
  }

  function better(a, b) { return b === null || a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]); }

  function rank(query, limit) {
    var alternatives = [];
    spellings(nameTokens(query)).forEach(function (spelling) {
      var q = spelling.map(queryKeys).filter(function (k) { return k.key || k.skel; });
      if (q.length) {
        var scores = q.map(function (k) { return tokens.map(function (w) { return tokenScore(k, w); }); });
        alternatives.push([scores, wholeSkeleton(q)]);
      }
    });
    if (!alternatives.length) { return []; }
    var hits = [];
    data.persons.forEach(function (p) {
      var best = null;
      alternatives.forEach(function (alt) {
        p[3].forEach(function (v) {
          var s = nameScore(alt[0], alt[1], v);
          if (s !== null && better(s, best)) { best = s; }
        });
      });
      if (best !== null) { hits.push({ id: p[0], en: p[1], fa: p[2], score: best[0], tie: best[1] }); }
    });
    hits.sort(function (a, b) {
      return b.score - a.score || b.tie - a.tie || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
    return hits.slice(0, limit || 20);
  }
  window.sabtMemorialSearch = rank;

  function show(form) {
    var list = document.getElementById("results"), count = document.getElementById("result-count");
    var lang = document.documentElement.lang, query = form.elements.q.value;
    var hits = rank(query, 50);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    hits.forEach(function (h) {
      var li = document.createElement("li"), a = document.createElement("a"), other = document.createElement("span");
      a.href = form.getAttribute("data-base") + "p/" + encodeURIComponent(h.id) + ".html";
      a.textContent = (lang === "fa" ? h.fa : h.en) || h.en || h.fa;
      other.className = "muted";
      other.textContent = " " + ((lang === "fa" ? h.en : h.fa) || "");
      li.appendChild(a); li.appendChild(other); list.appendChild(li);
    });
    count.textContent = query.trim() ? (hits.length ? count.getAttribute("data-found") : count.getAttribute("data-none")) : "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("memorial-search");
    if (!form || form.getAttribute("data-offline") !== "1") { return; }
    var fromUrl = new URLSearchParams(window.location.search).get("q");
    if (fromUrl) { form.elements.q.value = fromUrl; show(form); }
    form.addEventListener("submit", function (e) { e.preventDefault(); show(form); });
    form.elements.q.addEventListener("input", function () { show(form); });
  });
}());
