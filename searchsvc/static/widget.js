/*! searchsvc widget: search as you type. Embedding: docs/widget.md. */
(function () {
  "use strict";
  if (window.searchsvc) return; // loaded twice
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var SRC = script ? script.src : location.href;
  // The API lives next to this file, wherever the page embedding it is.
  var BASE = new URL((script && script.getAttribute("data-api")) || "./", SRC).href;
  var DELAY = 120, TIMEOUT = 10000, EMBED_PER_PAGE = 8, CHIPS = 10;
  var MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  var ids = 0, instances = [];

  /* The box's own words, per language of the page (<html lang>, or data-lang on this script):
     en, fr, de, es, it, pt, ru, ja, ko, zh and zh-Hant;
     each can be set on this script as data-text-<name> (data-text-placeholder="…").
     {n} is a number, {q} the query in quotes, {t} the tags chosen. */
  var WORDS = {
    en: { placeholder: "Search posts…", label: "Search the blog", button: "Search", close: "Close search",
      found1: "1 post matches {q}{t}.", foundN: "{n} posts match {q}{t}.", listed1: "1 post{t}.", listedN: "{n} posts{t}.",
      none: "No posts match {q}{t}.", noneAll: "No posts match{t}.", tagged: " tagged {t}",
      showing: "Showing results for {q}.", didYouMean: "Did you mean {q}?",
      leftOut: "Searched for the first words only: the last {n} were left out.",
      relaxed: "No post has all of these words; these have some of them.", fewer: "Below them, {n} more with all of the words but one.", tryOther: "Try other words, or fewer of them.",
      keys: "↑ ↓ to move · Enter to open · Esc to close", prev: "← Previous", next: "Next →",
      page: "Page {n} of {m}", all: "See all {n} results →", results: "Search results" },
    fr: { placeholder: "Rechercher des articles…", label: "Rechercher sur le blog", button: "Rechercher", close: "Fermer la recherche",
      found1: "1 article correspond à {q}{t}.", foundN: "{n} articles correspondent à {q}{t}.", listed1: "1 article{t}.", listedN: "{n} articles{t}.",
      none: "Aucun article ne correspond à {q}{t}.", noneAll: "Aucun article{t}.", tagged: " avec le tag {t}",
      showing: "Résultats pour {q}.", didYouMean: "Vouliez-vous dire {q} ?",
      leftOut: "Recherche sur les premiers mots seulement : les {n} derniers ont été laissés de côté.",
      relaxed: "Aucun article n’a tous ces mots ; ceux-ci en ont une partie.", fewer: "En dessous, {n} de plus avec tous les mots sauf un.", tryOther: "Essayez d’autres mots, ou moins de mots.",
      keys: "↑ ↓ pour choisir · Entrée pour ouvrir · Échap pour fermer", prev: "← Précédent", next: "Suivant →",
      page: "Page {n} sur {m}", all: "Voir les {n} résultats →", results: "Résultats de recherche" },
    de: { placeholder: "Beiträge durchsuchen…", label: "Den Blog durchsuchen", button: "Suchen", close: "Suche schließen",
      found1: "1 Beitrag passt zu {q}{t}.", foundN: "{n} Beiträge passen zu {q}{t}.", listed1: "1 Beitrag{t}.", listedN: "{n} Beiträge{t}.",
      none: "Keine Beiträge passen zu {q}{t}.", noneAll: "Keine Beiträge{t}.", tagged: " mit dem Tag {t}",
      showing: "Ergebnisse für {q}.", didYouMean: "Meinten Sie {q}?",
      leftOut: "Nur nach den ersten Wörtern gesucht: die letzten {n} wurden weggelassen.",
      relaxed: "Kein Beitrag enthält alle Wörter; diese enthalten einige davon.", fewer: "Darunter {n} weitere mit allen Wörtern bis auf eines.", tryOther: "Versuchen Sie andere oder weniger Wörter.",
      keys: "↑ ↓ zum Wählen · Enter zum Öffnen · Esc zum Schließen", prev: "← Zurück", next: "Weiter →",
      page: "Seite {n} von {m}", all: "Alle {n} Ergebnisse →", results: "Suchergebnisse" },
    es: { placeholder: "Buscar artículos…", label: "Buscar en el blog", button: "Buscar", close: "Cerrar la búsqueda",
      found1: "1 artículo coincide con {q}{t}.", foundN: "{n} artículos coinciden con {q}{t}.", listed1: "1 artículo{t}.", listedN: "{n} artículos{t}.",
      none: "Ningún artículo coincide con {q}{t}.", noneAll: "Ningún artículo{t}.", tagged: " con la etiqueta {t}",
      showing: "Resultados para {q}.", didYouMean: "¿Quisiste decir {q}?",
      leftOut: "Se buscaron solo las primeras palabras: se omitieron las últimas {n}.",
      relaxed: "Ningún artículo tiene todas estas palabras; estos tienen algunas.", fewer: "Debajo, {n} más con todas las palabras menos una.", tryOther: "Prueba otras palabras, o menos.",
      keys: "↑ ↓ para moverte · Intro para abrir · Esc para cerrar", prev: "← Anterior", next: "Siguiente →",
      page: "Página {n} de {m}", all: "Ver los {n} resultados →", results: "Resultados de la búsqueda" },
    ja: { placeholder: "記事を検索…", label: "ブログを検索", button: "検索", close: "検索を閉じる",
      found1: "{q}{t}に一致する記事が 1 件あります。", foundN: "{q}{t}に一致する記事が {n} 件あります。", listed1: "記事 1 件{t}。", listedN: "記事 {n} 件{t}。",
      none: "{q}{t}に一致する記事はありません。", noneAll: "記事はありません{t}。", tagged: "（タグ: {t}）",
      showing: "{q} の検索結果を表示しています。", didYouMean: "もしかして {q}？",
      leftOut: "最初の語だけで検索しました。最後の {n} 語は除外されました。",
      relaxed: "すべての語を含む記事はありません。一部を含む記事を表示しています。", fewer: "その下に、1 語を除くすべての語を含む記事が {n} 件あります。", tryOther: "別の語句や、より少ない語句でお試しください。",
      keys: "↑ ↓ で移動 · Enter で開く · Esc で閉じる", prev: "← 前へ", next: "次へ →",
      page: "{m} ページ中 {n} ページ目", all: "{n} 件の結果をすべて表示 →", results: "検索結果" },
    zh: { placeholder: "搜索文章…", label: "搜索博客", button: "搜索", close: "关闭搜索",
      found1: "有 1 篇文章匹配 {q}{t}。", foundN: "有 {n} 篇文章匹配 {q}{t}。", listed1: "1 篇文章{t}。", listedN: "{n} 篇文章{t}。",
      none: "没有文章匹配 {q}{t}。", noneAll: "没有文章{t}。", tagged: "（标签：{t}）",
      showing: "显示 {q} 的结果。", didYouMean: "您是不是要找 {q}？",
      leftOut: "仅搜索了前面的词：最后 {n} 个词被略去。",
      relaxed: "没有文章包含所有这些词；以下文章包含其中一部分。", fewer: "其下另有 {n} 篇文章包含除一个词以外的所有词。", tryOther: "请尝试其他词语，或减少词语。",
      keys: "↑ ↓ 移动 · Enter 打开 · Esc 关闭", prev: "← 上一页", next: "下一页 →",
      page: "第 {n} 页，共 {m} 页", all: "查看全部 {n} 个结果 →", results: "搜索结果" },
    "zh-hant": { placeholder: "搜尋文章…", label: "搜尋部落格", button: "搜尋", close: "關閉搜尋",
      found1: "有 1 篇文章符合 {q}{t}。", foundN: "有 {n} 篇文章符合 {q}{t}。", listed1: "1 篇文章{t}。", listedN: "{n} 篇文章{t}。",
      none: "沒有文章符合 {q}{t}。", noneAll: "沒有文章{t}。", tagged: "（標籤：{t}）",
      showing: "顯示 {q} 的結果。", didYouMean: "您是不是要找 {q}？",
      leftOut: "僅搜尋了前面的詞：最後 {n} 個詞被略去。",
      relaxed: "沒有文章包含所有這些詞；以下文章包含其中一部分。", fewer: "其下另有 {n} 篇文章包含除一個詞以外的所有詞。", tryOther: "請嘗試其他詞語，或減少詞語。",
      keys: "↑ ↓ 移動 · Enter 開啟 · Esc 關閉", prev: "← 上一頁", next: "下一頁 →",
      page: "第 {n} 頁，共 {m} 頁", all: "查看全部 {n} 個結果 →", results: "搜尋結果" },
    ko: { placeholder: "글 검색…", label: "블로그 검색", button: "검색", close: "검색 닫기",
      found1: "{q}{t}에 맞는 글이 1개 있습니다.", foundN: "{q}{t}에 맞는 글이 {n}개 있습니다.", listed1: "글 1개{t}.", listedN: "글 {n}개{t}.",
      none: "{q}{t}에 맞는 글이 없습니다.", noneAll: "글이 없습니다{t}.", tagged: " (태그: {t})",
      showing: "{q}의 검색 결과입니다.", didYouMean: "이것을 찾으셨나요? {q}",
      leftOut: "앞부분 단어로만 검색했습니다. 마지막 {n}개 단어는 제외되었습니다.",
      relaxed: "모든 단어가 들어 있는 글이 없어, 일부가 들어 있는 글을 보여 드립니다.", fewer: "그 아래에 한 단어만 빠진 글이 {n}개 더 있습니다.", tryOther: "다른 단어나 더 적은 단어로 검색해 보세요.",
      keys: "↑ ↓ 이동 · Enter 열기 · Esc 닫기", prev: "← 이전", next: "다음 →",
      page: "{m}페이지 중 {n}페이지", all: "결과 {n}개 모두 보기 →", results: "검색 결과" },
    pt: { placeholder: "Pesquisar artigos…", label: "Pesquisar no blog", button: "Pesquisar", close: "Fechar a pesquisa",
      found1: "1 artigo corresponde a {q}{t}.", foundN: "{n} artigos correspondem a {q}{t}.", listed1: "1 artigo{t}.", listedN: "{n} artigos{t}.",
      none: "Nenhum artigo corresponde a {q}{t}.", noneAll: "Nenhum artigo{t}.", tagged: " com a etiqueta {t}",
      showing: "Resultados para {q}.", didYouMean: "Você quis dizer {q}?",
      leftOut: "Pesquisadas apenas as primeiras palavras: as últimas {n} foram deixadas de fora.",
      relaxed: "Nenhum artigo tem todas estas palavras; estes têm algumas delas.", fewer: "Abaixo, mais {n} com todas as palavras menos uma.", tryOther: "Tente outras palavras, ou menos palavras.",
      keys: "↑ ↓ para mover · Enter para abrir · Esc para fechar", prev: "← Anterior", next: "Próxima →",
      page: "Página {n} de {m}", all: "Ver os {n} resultados →", results: "Resultados da pesquisa" },
    it: { placeholder: "Cerca negli articoli…", label: "Cerca nel blog", button: "Cerca", close: "Chiudi la ricerca",
      found1: "1 articolo corrisponde a {q}{t}.", foundN: "{n} articoli corrispondono a {q}{t}.", listed1: "1 articolo{t}.", listedN: "{n} articoli{t}.",
      none: "Nessun articolo corrisponde a {q}{t}.", noneAll: "Nessun articolo{t}.", tagged: " con il tag {t}",
      showing: "Risultati per {q}.", didYouMean: "Forse cercavi {q}?",
      leftOut: "Cercate solo le prime parole: le ultime {n} sono state tralasciate.",
      relaxed: "Nessun articolo contiene tutte queste parole; questi ne contengono alcune.", fewer: "Più sotto, altri {n} con tutte le parole tranne una.", tryOther: "Prova con altre parole, o con meno parole.",
      keys: "↑ ↓ per spostarti · Invio per aprire · Esc per chiudere", prev: "← Precedente", next: "Successiva →",
      page: "Pagina {n} di {m}", all: "Vedi tutti i {n} risultati →", results: "Risultati della ricerca" },
    ru: { placeholder: "Поиск по статьям…", label: "Поиск по блогу", button: "Найти", close: "Закрыть поиск",
      found1: "По запросу {q}{t} найдена 1 статья.", foundN: "По запросу {q}{t} найдено статей: {n}.", listed1: "1 статья{t}.", listedN: "Статей: {n}{t}.",
      none: "По запросу {q}{t} ничего не найдено.", noneAll: "Статей нет{t}.", tagged: " с тегом {t}",
      showing: "Результаты для {q}.", didYouMean: "Возможно, вы имели в виду {q}?",
      leftOut: "Поиск только по первым словам: последние слова ({n}) не учитывались.",
      relaxed: "Ни в одной статье нет всех этих слов; в этих есть некоторые из них.", fewer: "Ниже ещё статей со всеми словами, кроме одного: {n}.", tryOther: "Попробуйте другие слова или меньше слов.",
      keys: "↑ ↓ — выбор · Enter — открыть · Esc — закрыть", prev: "← Назад", next: "Вперёд →",
      page: "Страница {n} из {m}", all: "Все результаты ({n}) →", results: "Результаты поиска" }
  };
  var PAGE_TAG = ((script && script.getAttribute("data-lang")) || document.documentElement.lang || "").toLowerCase();
  var PAGE_LANG = PAGE_TAG.split(/[-_]/)[0];
  var T = {};
  (function () {
    // Chinese in traditional characters: zh-Hant, and zh-TW, zh-HK, zh-MO without a script.
    var hant = PAGE_LANG === "zh" && /[-_](hant|tw|hk|mo)\b/.test(PAGE_TAG) && !/[-_]hans\b/.test(PAGE_TAG);
    var mine = WORDS[hant ? "zh-hant" : PAGE_LANG] || {};
    for (var k in WORDS.en) {
      var own = script && script.getAttribute("data-text-" + k.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); }));
      T[k] = own != null ? own : mine[k] || WORDS.en[k];
    }
  })();
  /** The reader's language goes with each search (its posts first when scores are close),
      unless data-prefer-lang="off" on this script. */
  var PREFER = script && script.getAttribute("data-prefer-lang") === "off" ? "" : PAGE_LANG;
  /** Search analytics (POST api/events): the query a reader settles on, and the result they
      open; nothing about the reader. Off with data-analytics="off" on this script. */
  var EVENTS = !(script && script.getAttribute("data-analytics") === "off"), SETTLE = 1000;

  /** Send one event without delaying anything, even as the page unloads: a keepalive fetch
      without cookies (text/plain: no preflight); sendBeacon where fetch cannot. */
  function beacon(data) {
    var url = BASE + "api/events", body = JSON.stringify(data);
    try {
      fetch(url, { method: "POST", body: body, keepalive: true, mode: "no-cors", credentials: "omit",
        headers: { "Content-Type": "text/plain" } }).catch(function () {});
    } catch (e) {
      try { if (navigator.sendBeacon) navigator.sendBeacon(url, body); } catch (e2) { /* analytics never break the box */ }
    }
  }

  function normal(text) { return String(text).trim().replace(/\s+/g, " ").toLowerCase(); }

  /** One of the words above with {n}, {m}, {q}, {t} filled in. */
  function say(key, values) {
    return T[key].replace(/\{([nmqt])\}/g, function (_, k) { return values && values[k] != null ? values[k] : ""; });
  }

  function uid(kind) { return "ssw-" + kind + "-" + ++ids; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function attrs(e, map) {
    for (var k in map) e.setAttribute(k, map[k]);
    return e;
  }

  /** An http(s) address (relative ones resolve against this page), else null. */
  function safeUrl(url) {
    if (typeof url !== "string" || !url) return null;
    try { var u = new URL(url, document.baseURI); } catch (e) { return null; }
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  }

  /** Fill `target` from the API's *_html field: its text, and <mark> elements, nothing else. */
  function marked(target, html) {
    var t = document.createElement("template"); // parsed inert: nothing loads or runs
    t.innerHTML = String(html);
    (function copy(from, to) {
      for (var n = from.firstChild; n; n = n.nextSibling) {
        if (n.nodeType === 3) to.appendChild(document.createTextNode(n.data));
        else if (n.nodeType === 1) copy(n, n.localName === "mark" ? to.appendChild(el("mark")) : to);
      }
    })(t.content, target);
    return target;
  }

  function niceDate(iso) {
    var m = /^(\d{4})-(\d\d)-(\d\d)/.exec(String(iso || ""));
    if (!m) return null;
    var t = el("time", null, MONTHS[+m[2] - 1] + " " + +m[3] + ", " + m[1]);
    t.dateTime = m[0];
    return t;
  }


  function editable(t) {
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  /**
   * One search box. `page` (an element holding the server-rendered form and
   * [data-searchsvc-results]) takes over that page; without it, a dialog opened
   * by buttons made from the embedding page's [data-searchsvc] elements.
   */
  function Widget(page) {
    var w = this, input, form, panel, dialog;
    var q = "", tags = [], pageNo = 1, extra = [], typing = false;
    var latest = 0, ctrl = null, timer = 0, opts = [], active = -1, back = null, restore = true, refocus = null, chipFor = {};
    // Analytics: the answer on screen (onScreen: {query, results, sent}), the last query sent, why the last search ran.
    var tracking = EVENTS && !(page && page.getAttribute("data-analytics") === "off");
    var onScreen = null, sentQuery = null, settleTimer = 0, ranHow;
    var listId = uid("list");
    var status = attrs(el("p", "ssw-status"), { role: "status", "aria-live": "polite" });
    var notice = el("div", "ssw-notice");
    var chips = attrs(el("div", "ssw-chips"), { role: "group", "aria-label": "Filter by tag" });
    var list = attrs(el("ol", "ssw-results"), { id: listId, role: "listbox", "aria-label": T.results });
    var foot = el("div", "ssw-foot");
    var parts = [notice, chips, list, foot];

    if (page) {
      form = page.querySelector("form");
      input = form.querySelector('input[name="q"]');
      panel = page.querySelector("[data-searchsvc-results]") || page.appendChild(el("div", "ssw-panel"));
      var old = panel.querySelector(".ssw-status");
      if (old) status = attrs(old, { role: "status", "aria-live": "polite" }); // already announced
      else panel.insertBefore(status, panel.firstChild);
      panel.appendChild(list);
      readUrl();
      form.addEventListener("submit", function (e) { e.preventDefault(); run("push"); });
      window.addEventListener("popstate", function () { readUrl(); input.value = q; typing = false; run("none"); });
    } else {
      dialog = attrs(el("dialog", "ssw-dialog ssw-scope"), { "aria-label": T.button });
      var box = dialog.appendChild(el("div", "ssw-box"));
      var bar = box.appendChild(el("div", "ssw-bar"));
      input = el("input", "ssw-input");
      attrs(input, { type: "search", placeholder: T.placeholder, maxlength: "500", spellcheck: "false", id: uid("q") });
      var label = attrs(el("label", "ssw-hidden", T.label), { for: input.id });
      var esc = attrs(el("button", "ssw-close", "Esc"), { type: "button", "aria-label": T.close });
      esc.addEventListener("click", function () { w.close(); });
      bar.append(label, input, esc);
      var body = box.appendChild(el("div", "ssw-body"));
      body.append(status, notice, chips, list, foot);
      box.appendChild(attrs(el("p", "ssw-keys", T.keys), { "aria-hidden": "true" }));
      document.body.appendChild(dialog);
      dialog.addEventListener("cancel", function (e) { e.preventDefault(); w.close(); });
      dialog.addEventListener("click", function (e) { if (e.target === dialog) w.close(); });
      dialog.addEventListener("close", function () {
        document.documentElement.classList.remove("ssw-lock");
        if (restore && back && back.focus) back.focus();
        back = null;
      });
      list.addEventListener("click", function (e) {
        if (!(e.ctrlKey || e.metaKey || e.shiftKey) && e.target.closest("a[role=option]")) { restore = false; dialog.close(); }
      });
      dialog.addEventListener("close", settled);
    }
    function onOpen(e) {
      var a = e.target.closest && e.target.closest("a[role=option]");
      if (a && (e.type === "click" || e.button === 1)) opened(a);
    }
    list.addEventListener("click", onOpen, true);
    list.addEventListener("auxclick", onOpen, true);
    window.addEventListener("pagehide", settled);
    attrs(input, { role: "combobox", "aria-autocomplete": "list", "aria-controls": listId,
      "aria-expanded": "false", autocomplete: "off" });

    input.addEventListener("input", function () {
      pageNo = 1; setActive(-1); clearTimeout(timer); clearTimeout(settleTimer); timer = setTimeout(run, DELAY);
    });
    input.addEventListener("keydown", function (e) {
      if (e.isComposing) return;
      var k = e.key, n = opts.length, o = opts[active];
      if ((k === "ArrowDown" || k === "ArrowUp") && n) {
        e.preventDefault();
        var step = k === "ArrowDown" ? 1 : -1;
        setActive(active < 0 ? (step > 0 ? 0 : n - 1) : (active + step + n) % n);
      } else if (k === "Enter") {
        e.preventDefault();
        if (o && o.href) {
          opened(o);
          if (e.ctrlKey || e.metaKey || e.shiftKey) window.open(o.href, "_blank", "noopener");
          else { if (dialog) { restore = false; dialog.close(); } location.assign(o.href); }
        } else run("push");
      } else if (k === "Escape") {
        if (dialog) { e.preventDefault(); w.close(); }
        else if (active >= 0) { e.preventDefault(); setActive(-1); }
        else if (back) { e.preventDefault(); back.focus(); back = null; }
      }
    });

    /** Open the search box (from a button or a shortcut); Esc returns focus to where it was. */
    w.open = function () {
      var from = document.activeElement;
      if (dialog && !dialog.open) {
        back = from; restore = true;
        dialog.showModal();
        document.documentElement.classList.add("ssw-lock");
      } else if (!dialog && from !== input && from !== document.body) back = from;
      input.focus();
      input.select();
    };
    w.close = function () { settled(); if (dialog && dialog.open) { restore = true; dialog.close(); } };

    /** The reader settled on the query on screen (a second without typing, Enter, a result
        opened, the box closed): count it, once (paging or filtering it is the same search). */
    function settled() {
      clearTimeout(settleTimer);
      if (!tracking || !onScreen || onScreen.sent) return;
      onScreen.sent = true;
      if (normal(onScreen.query) === sentQuery) return;
      sentQuery = normal(onScreen.query);
      beacon({ type: "search", query: onScreen.query, results: onScreen.results });
    }

    /** A result or section link `o` is being opened. */
    function opened(o) {
      if (!tracking) return;
      settled();
      var event = { type: "click", query: onScreen ? onScreen.query : q.trim(), url: o.getAttribute("data-url") || o.href };
      if (+o.getAttribute("data-pos") > 0) event.position = +o.getAttribute("data-pos");
      if (event.query) beacon(event);
    }

    function readUrl() {
      var p = new URLSearchParams(location.search);
      q = p.get("q") || ""; tags = p.getAll("tag"); pageNo = +p.get("page") || 1; extra = [];
      p.forEach(function (v, k) { if (!/^(q|tag|page)$/.test(k)) extra.push([k, v]); });
    }

    function params() {
      var p = new URLSearchParams();
      if (q) p.set("q", q);
      tags.forEach(function (t) { p.append("tag", t); });
      extra.forEach(function (kv) { p.append(kv[0], kv[1]); });
      if (pageNo > 1) p.set("page", pageNo);
      return p;
    }

    function pageUrl(n, text) {
      var keep = [q, pageNo];
      pageNo = n || pageNo; q = text == null ? q : text;
      var s = params().toString();
      q = keep[0]; pageNo = keep[1];
      return location.pathname + (s ? "?" + s : "");
    }

    /** Page mode: the address bar follows the search (a run of typing is one history entry). */
    function remember(how) {
      var url = pageUrl(), push = how === "push" || (!how && !typing);
      typing = !how;
      document.title = (q ? q + " – " : "") + "Search";
      if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
    }

    function run(how) {
      clearTimeout(timer);
      q = input.value;
      ranHow = how;
      if (page && how !== "none") remember(how);
      var id = ++latest; // answers to older requests are dropped, whatever order they arrive in
      if (ctrl) ctrl.abort();
      if (!q.trim() && !tags.length) { ctrl = null; show(null); return; }
      var c = ctrl = new AbortController(), late = false;
      var t = setTimeout(function () { late = true; c.abort(); }, TIMEOUT);
      var p = params();
      if (!page) p.set("per_page", EMBED_PER_PAGE);
      if (PREFER && !p.has("prefer_lang")) p.set("prefer_lang", PREFER);
      list.setAttribute("aria-busy", "true");
      fetch(BASE + "api/search?" + p, { signal: c.signal, credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (r) {
          return r.json().catch(function () { return null; }).then(function (d) {
            if (id !== latest) return;
            if (r.status === 400 && PREFER && d && d.error && d.error.parameter === "prefer_lang") {
              // The page's language is none the server knows (lang="xx", an unfilled template):
              // search without it, from now on.
              PREFER = "";
              return run(how);
            }
            if (r.ok && d && Array.isArray(d.results)) show(d);
            else fail((r.status === 503 ? "Search is not available right now. " : "") +
              ((d && d.error && d.error.message) || "Search failed (HTTP " + r.status + "). Try again in a moment."));
          });
        }, function (e) {
          if (id !== latest || (e.name === "AbortError" && !late)) return;
          if (late) return fail("Search is taking too long. Try again in a moment.");
          unreachable(id);
        })
        .finally(function () { clearTimeout(t); if (id === latest) list.removeAttribute("aria-busy"); });
    }

    /** The request failed without an answer: a down server, or one that does not allow this site (CORS). */
    function unreachable(id) {
      var here = location.origin, there = new URL(BASE).origin;
      var down = function () { if (id === latest) fail("The search service could not be reached. Check your connection and try again."); };
      if (here === there) return down();
      fetch(BASE + "healthz", { mode: "no-cors", credentials: "omit" }).then(function () {
        if (id !== latest) return;
        fail("Search is not available on this site: the search service does not accept requests from " + here + ".");
        console.error("searchsvc: add " + here + " to SEARCHSVC_CORS_ORIGINS on the server at " + there + ".");
      }, down);
    }

    function fail(message) {
      show(null);
      status.textContent = message;
      status.classList.add("ssw-error");
    }

    function setActive(i) {
      var o = opts[active];
      if (o) { o.classList.remove("ssw-active"); o.setAttribute("aria-selected", "false"); }
      active = i; o = opts[i];
      if (o) {
        o.classList.add("ssw-active"); o.setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", o.id);
        o.scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }

    function option(cls, url, given, position) {
      var href = safeUrl(url), o = el(href ? "a" : "div", "ssw-opt " + cls);
      if (href) {
        o.href = href;
        attrs(o, { "data-url": String(given), "data-pos": String(position) }); // as the API gave it, for analytics
      }
      attrs(o, { id: uid("opt"), role: "option", "aria-selected": "false", tabindex: "-1" });
      opts.push(o);
      return o;
    }

    function button(cls, text, onclick) {
      var b = attrs(el("button", cls, text), { type: "button" });
      b.addEventListener("click", onclick);
      return b;
    }

    function link(text, href, onclick) {
      var a = el("a", null, text);
      a.href = href;
      a.addEventListener("click", function (e) {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button) return;
        e.preventDefault(); onclick();
      });
      return a;
    }

    function again(how) { setActive(-1); run(how); }

    /** Render an API answer (null: clear everything). */
    function show(d) {
      if (page) { // the server-rendered content goes on the first render
        Array.prototype.slice.call(panel.children).forEach(function (c) { if (c !== status && parts.indexOf(c) < 0) c.remove(); });
        parts.forEach(function (c) { panel.appendChild(c); });
      }
      status.classList.remove("ssw-error");
      [notice, chips, list, foot].forEach(function (c) { c.textContent = ""; });
      opts = []; active = -1;
      input.removeAttribute("aria-activedescendant");
      input.setAttribute("aria-expanded", "false");
      clearTimeout(settleTimer);
      if (!d) { status.textContent = ""; onScreen = null; return settle(); }

      var total = +d.total || 0, shown = "“" + q.trim() + "”";
      // A few posts have every word and those with all but one follow them: count the first.
      // (0 when relaxed; missing from an older server: then the total.)
      var every = +d.with_every_word, full = every > 0 && every < total ? every : total;
      var words = { n: full, q: shown, t: tags.length ? say("tagged", { t: tags.join(", ") }) : "" };
      status.textContent = total
        ? say(q.trim() ? (full === 1 ? "found1" : "foundN") : (full === 1 ? "listed1" : "listedN"), words)
        : say(q.trim() ? "none" : "noneAll", words);

      var fix = typeof d.corrected_query === "string" && d.corrected_query;
      if (fix && d.corrected) notice.appendChild(el("p", null, say("showing", { q: "“" + fix + "”" })));
      else if (fix) {
        var go = link(fix, page ? pageUrl(1, fix) : BASE + "?q=" + encodeURIComponent(fix), function () {
          input.value = fix; pageNo = 1; again("push"); input.focus();
        });
        var around = T.didYouMean.split("{q}");
        notice.appendChild(el("p", null, around[0])).append(go, around.slice(1).join(""));
      }
      if (+d.words_left_out > 0) notice.appendChild(el("p", null, say("leftOut", { n: +d.words_left_out })));
      if (d.relaxed) notice.appendChild(el("p", null, T.relaxed));
      if (full < total) notice.appendChild(el("p", null, say("fewer", { n: total - full })));
      if (!total && !fix) notice.appendChild(el("p", null, T.tryOther));

      var facet = (d.facets && d.facets.tags) || {};
      chipFor = {};
      var names = tags.concat(Object.keys(facet).filter(function (t) { return tags.indexOf(t) < 0; })).slice(0, Math.max(CHIPS, tags.length));
      names.forEach(function (t) {
        var on = tags.indexOf(t) >= 0;
        var b = button("ssw-chip" + (on ? " ssw-chip-on" : ""), t, function () {
          tags = on ? tags.filter(function (x) { return x !== t; }) : tags.concat([t]);
          refocus = function () { return chipFor[t]; }; // keep the keyboard where it was
          pageNo = 1; again("push");
        });
        chipFor[t] = b;
        b.setAttribute("aria-pressed", String(on));
        if (!on && facet[t] != null) b.appendChild(el("span", "ssw-count", " " + facet[t]));
        chips.appendChild(b);
      });

      var first = ((+d.page || 1) - 1) * (+d.per_page || 0);
      (Array.isArray(d.results) ? d.results : []).forEach(function (hit, i) {
        var li = attrs(el("li", "ssw-result" + (first + i === full ? " ssw-fewer" : "")), { role: "group" });
        var o = li.appendChild(option("ssw-hit", hit.url, hit.url, first + i + 1));
        var title = o.appendChild(el("span", "ssw-title"));
        title.id = uid("title");
        if (hit.title_html) marked(title, hit.title_html); else title.textContent = String(hit.title || "Untitled");
        var meta = o.appendChild(el("span", "ssw-meta")), when = niceDate(hit.date);
        if (when) meta.appendChild(when);
        if (hit.author) meta.appendChild(el("span", "ssw-author", String(hit.author)));
        (Array.isArray(hit.tags) ? hit.tags : []).forEach(function (t) { meta.appendChild(el("span", "ssw-tag", String(t))); });
        var snip = o.appendChild(el("span", "ssw-snippet"));
        snip.id = uid("snip");
        if (hit.snippet_html) marked(snip, hit.snippet_html); else snip.textContent = String(hit.description || "");
        attrs(li, { "aria-labelledby": title.id });
        attrs(o, { "aria-labelledby": title.id, "aria-describedby": snip.id });
        (Array.isArray(hit.sections) ? hit.sections : []).slice(0, 3).forEach(function (s) {
          li.appendChild(option("ssw-section", s && s.url, s && s.url, first + i + 1)).textContent = String((s && s.heading) || "");
        });
        list.appendChild(li);
      });
      input.setAttribute("aria-expanded", String(opts.length > 0));
      if (dialog && opts.length) setActive(0);

      if (q.trim()) {
        // What the search page showed on load, or the history brought back, is counted already;
        // another page or tag of the query on screen is the same search.
        var counted = ranHow === "none" || (onScreen && onScreen.sent && normal(onScreen.query) === normal(q));
        onScreen = { query: q.trim(), results: total, sent: !!counted };
        if (ranHow === "none") sentQuery = normal(q);
        if (ranHow === "push") settled();
        else if (!onScreen.sent) settleTimer = setTimeout(settled, SETTLE);
      } else onScreen = null;

      var pages = +d.pages || 1;
      if (page && pages > 1) {
        var nav = attrs(el("nav", "ssw-pager"), { "aria-label": "Pages" });
        var turn = function (n, text, rel) {
          var a = link(text, pageUrl(n), function () {
            refocus = function () { return foot.querySelector("a[rel=" + rel + "]"); };
            pageNo = n; again("push"); page.scrollIntoView();
          });
          a.rel = rel;
          return a;
        };
        nav.appendChild(pageNo > 1 ? turn(pageNo - 1, T.prev, "prev") : el("span"));
        nav.appendChild(el("span", null, say("page", { n: pageNo, m: pages })));
        nav.appendChild(pageNo < pages ? turn(pageNo + 1, T.next, "next") : el("span"));
        foot.appendChild(nav);
      } else if (!page && total > list.children.length) {
        var all = el("a", "ssw-all", say("all", { n: total }));
        all.href = BASE + "?" + params();
        foot.appendChild(all);
      }
      settle();
    }

    /** After a click re-rendered the results, focus its new counterpart (else the search box). */
    function settle() {
      if (!refocus) return;
      var f = refocus();
      refocus = null;
      (f || input).focus({ preventScroll: true });
    }

    if (page && (q.trim() || tags.length)) run("none");
  }

  function init() {
    var page = document.querySelector('[data-searchsvc="page"]');
    if (page && page.querySelector("form")) instances.push(new Widget(page));
    var spots = document.querySelectorAll("[data-searchsvc]:not([data-searchsvc=page])");
    if (spots.length) {
      var css = new URL("widget.css", BASE).href;
      var linked = Array.prototype.some.call(document.querySelectorAll("link[rel~=stylesheet]"), function (l) { return l.href === css; });
      if (!linked && !(script && script.hasAttribute("data-no-css"))) {
        var l = document.createElement("link");
        l.rel = "stylesheet"; l.href = css;
        document.head.appendChild(l);
      }
      var w = new Widget(null);
      instances.push(w);
      Array.prototype.forEach.call(spots, function (spot) {
        var b = attrs(el("button", "ssw-trigger ssw-scope"), { type: "button", "aria-haspopup": "dialog", "aria-keyshortcuts": "/ Control+K Meta+K" });
        b.append(el("span", "ssw-trigger-icon"), el("span", "ssw-trigger-label", spot.getAttribute("data-label") || T.button));
        b.appendChild(attrs(el("kbd", null, "/"), { "aria-hidden": "true" }));
        b.addEventListener("click", w.open);
        spot.replaceChildren(b); // a no-JavaScript fallback link inside goes
      });
    }
    var main = instances[0];
    if (!main) return;
    window.searchsvc = { open: main.open, close: main.close };
    document.addEventListener("keydown", function (e) {
      if (e.defaultPrevented || e.isComposing || e.altKey || editable(e.composedPath()[0])) return;
      var mod = e.ctrlKey || e.metaKey;
      if ((e.key === "/" && !mod) || ((e.key === "k" || e.key === "K") && mod)) { e.preventDefault(); main.open(); }
    });
  }

  window.searchsvc = {};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
