/*! Shop chat widget: one <script> tag plus window.ShopChatConfig (see README, "The chat widget").
 * Vanilla JS, no build step. Talks socket.io to Rasa's socketio channel. Bot and agent text is
 * rendered with textContent only; links are limited to http, https and mailto. */
(function (win, doc) {
  "use strict";
  if (win.ShopChat) return;

  var script = doc.currentScript;
  var user = win.ShopChatConfig || {};
  var BASE = user.assetsUrl || (script && script.src ? script.src.replace(/[^\/]*([?#].*)?$/, "") : "/widget/");
  var KEY = "shopchat:";
  var NS = "http://www.w3.org/2000/svg";
  var LANGS = { en: "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文", ja: "日本語" };
  var SHORT = { en: "EN", "zh-Hans": "简", "zh-Hant": "繁", ja: "日" };

  var T = {
    en: {
      open: "Open chat", close: "Close chat", placeholder: "Type your message…", send: "Send",
      message: "Message", restart: "Start over", language: "Language", online: "Online",
      connecting: "Connecting…", offline: "Offline",
      offlineNote: "You're offline. We're reconnecting and will send your messages as soon as the connection is back.",
      typing: "The assistant is typing…", pending: "Waiting to send", you: "You", bot: "Assistant",
      agent: "Support team", source: "Source:", rate: "Rate this chat", unread: "{n} unread",
      prev: "Previous products", next: "Next products", products: "Products", of5: "out of 5",
      reviews: "reviews", conversation: "Conversation",
      greeting: "Hi! I'm the shop assistant. I can check an order, find a product, or answer questions about delivery and returns.",
      suggest: ["Where is my order?", "Show me jackets", "What is your return policy?", "I want to talk to a person"]
    },
    "zh-Hans": {
      open: "打开聊天", close: "关闭聊天", placeholder: "输入消息…", send: "发送", message: "消息",
      restart: "重新开始", language: "语言", online: "在线", connecting: "正在连接…", offline: "已离线",
      offlineNote: "您已离线。我们正在重新连接，连接恢复后会立即发送您的消息。",
      typing: "助手正在输入…", pending: "等待发送", you: "您", bot: "助手", agent: "客服团队",
      source: "来源：", rate: "为本次对话评分", unread: "{n} 条未读", prev: "上一组商品", next: "下一组商品",
      products: "商品", of5: "分（满分 5 分）", reviews: "条评价", conversation: "对话",
      greeting: "您好！我是本店的购物助手。我可以帮您查询订单、查找商品，或解答配送和退货方面的问题。",
      suggest: ["我的订单到哪了？", "看看外套", "退货政策是什么？", "我要找人工"]
    },
    "zh-Hant": {
      open: "開啟聊天", close: "關閉聊天", placeholder: "輸入訊息…", send: "傳送", message: "訊息",
      restart: "重新開始", language: "語言", online: "線上", connecting: "正在連線…", offline: "已離線",
      offlineNote: "您已離線。我們正在重新連線，連線恢復後會立即傳送您的訊息。",
      typing: "助理正在輸入…", pending: "等待傳送", you: "您", bot: "助理", agent: "客服團隊",
      source: "資料來源：", rate: "為本次對話評分", unread: "{n} 則未讀", prev: "上一組商品", next: "下一組商品",
      products: "商品", of5: "分（滿分 5 分）", reviews: "則評價", conversation: "對話",
      greeting: "您好！我是本店的購物助理。我可以幫您查詢訂單、尋找商品，或解答配送和退貨方面的問題。",
      suggest: ["我的訂單到哪了？", "有沒有外套", "退貨政策是什麼？", "我想跟客服人員講話"]
    },
    ja: {
      open: "チャットを開く", close: "チャットを閉じる", placeholder: "メッセージを入力…", send: "送信",
      message: "メッセージ", restart: "最初からやり直す", language: "言語", online: "オンライン",
      connecting: "接続中…", offline: "オフライン",
      offlineNote: "オフラインです。再接続しています。接続が戻りしだいメッセージを送信します。",
      typing: "アシスタントが入力中…", pending: "送信待ち", you: "あなた", bot: "アシスタント",
      agent: "サポートチーム", source: "出典：", rate: "このチャットを評価", unread: "未読 {n} 件",
      prev: "前の商品", next: "次の商品", products: "商品", of5: "（5 段階中）", reviews: "件のレビュー",
      conversation: "会話",
      greeting: "こんにちは！ショップのアシスタントです。ご注文の確認、商品探し、配送や返品についてのご質問にお答えします。",
      suggest: ["注文ステータスを確認したい", "ジャケットを探しています", "返品ポリシーは？", "オペレーターと話したい"]
    }
  };

  var I = {
    chat: "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2zM7 9h10v2H7zm0-3h10v2H7zm0 6h7v2H7z",
    close: "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
    send: "M3.4 20.4 21 12 3.4 3.6 3.39 10.2 15 12 3.39 13.8z",
    restart: "M17.65 6.35A7.96 7.96 0 0 0 12 4a8 8 0 1 0 7.73 10h-2.08A6 6 0 1 1 12 6c1.66 0 3.14.69 4.22 1.78L13 11h7V4l-2.35 2.35z",
    left: "M15.41 7.41 14 6l-6 6 6 6 1.41-1.41L10.83 12z",
    right: "M10 6 8.59 7.41 13.17 12l-4.58 4.59L10 18l6-6z",
    person: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-2.67 0-8 1.34-8 4v2h16v-2c0-2.66-5.33-4-8-4z",
    globe: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm6.93 6h-2.95a15.7 15.7 0 0 0-1.38-3.56A8.03 8.03 0 0 1 18.93 8zM12 4.04c.83 1.2 1.48 2.53 1.91 3.96h-3.82c.43-1.43 1.08-2.76 1.91-3.96zM4.26 14a8.2 8.2 0 0 1 0-4h3.38a16.5 16.5 0 0 0 0 4H4.26zm.81 2h2.95c.32 1.25.78 2.45 1.38 3.56A7.99 7.99 0 0 1 5.07 16zm2.95-8H5.07a7.99 7.99 0 0 1 4.33-3.56A15.7 15.7 0 0 0 8.02 8zM12 19.96c-.83-1.2-1.48-2.53-1.91-3.96h3.82A13.9 13.9 0 0 1 12 19.96zM14.34 14H9.66a14.7 14.7 0 0 1 0-4h4.68a14.7 14.7 0 0 1 0 4zm.25 5.56c.6-1.11 1.06-2.31 1.38-3.56h2.95a8.03 8.03 0 0 1-4.33 3.56zM16.36 14a16.5 16.5 0 0 0 0-4h3.38a8.2 8.2 0 0 1 0 4h-3.38z",
    clock: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 10.4 3.3 3.3-1.4 1.4L11 13.2V7h2z"
  };

  // ---- settings -----------------------------------------------------------------------------
  function pick(v) {
    v = String(v || "").toLowerCase();
    if (v.indexOf("zh") === 0) return /hant|tw|hk|mo/.test(v) ? "zh-Hant" : "zh-Hans";
    if (v.indexOf("ja") === 0) return "ja";
    if (v.indexOf("en") === 0) return "en";
    return null;
  }
  function load(k) { try { return win.localStorage.getItem(KEY + k); } catch (e) { return null; } }
  function store(k, v) {
    try { if (v == null) win.localStorage.removeItem(KEY + k); else win.localStorage.setItem(KEY + k, v); } catch (e) { /* private mode */ }
  }
  function browserLang() {
    var list = (win.navigator && (navigator.languages || [navigator.language])) || [];
    for (var i = 0; i < list.length; i++) if (pick(list[i])) return pick(list[i]);
    return null;
  }

  var colors = user.colors || {};
  var cfg = {
    serverUrl: user.serverUrl || location.protocol + "//" + location.hostname + ":5005",
    socketPath: user.socketPath || "/socket.io",
    title: user.title || "Shop assistant",
    position: user.position === "left" ? "left" : "right",
    productUrl: user.productUrl || "{url}",
    imageUrl: user.imageUrl || "{image}",
    historyUrl: user.historyUrl || BASE + "api/history"
  };
  // A language the shopper picked in the menu, or the shop page configured, is a choice: it is sent as
  // metadata.language and the server keeps it. The page's and the browser's languages are only hints:
  // they pick the greeting's language, and the conversation then follows what the shopper writes.
  var chosen = (LANGS[load("lang")] && load("lang")) || pick(user.language === "auto" ? "" : user.language) || null;
  var lang = chosen || pick(doc.documentElement.lang) || browserLang() || "en";

  function t(k, n) {
    var s = (T[lang] || T.en)[k];
    if (s == null) s = T.en[k];
    return n == null ? s : String(s).replace("{n}", n);
  }
  function greeting() {
    var g = user.greeting;
    if (g && typeof g === "object") return g[lang] || t("greeting");
    return g || t("greeting");
  }
  function suggestions() {
    var s = user.suggestions;
    if (s && !Array.isArray(s)) s = s[lang];
    return Array.isArray(s) ? s : (s === false ? [] : t("suggest"));
  }

  // ---- colours (text on the primary colour is chosen for 4.5:1 contrast) ----------------------
  function lum(hex) {
    var m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(hex || "").trim());
    if (!m) return null;
    var h = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
    var c = [0, 2, 4].map(function (i) {
      var v = parseInt(h.substr(i, 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  function ratio(a, b) { return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }
  function palette() {
    var primary = lum(colors.primary) == null ? "#1f5f8b" : colors.primary;
    var L = lum(primary), white = ratio(L, 1), dark = ratio(L, lum("#111418"));
    var vars = {
      "--sc-p": primary,
      "--sc-op": colors.primaryText || (white >= 4.5 || white >= dark ? "#ffffff" : "#111418"),
      "--sc-link": ratio(L, lum("#f1f3f6")) >= 4.5 ? primary : "#1d4f7c",
      "--sc-agent": lum(colors.agent) != null && ratio(lum(colors.agent), 1) >= 4.5 ? colors.agent : "#8a4500"
    };
    return Object.keys(vars).map(function (k) { return k + ":" + vars[k]; }).join(";");
  }

  // ---- DOM helpers --------------------------------------------------------------------------
  function el(tag, cls, text, attrs) {
    var n = doc.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    for (var k in attrs || {}) if (attrs[k] != null) n.setAttribute(k, attrs[k]);
    return n;
  }
  function icon(d) {
    var s = doc.createElementNS(NS, "svg"), p = doc.createElementNS(NS, "path");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    p.setAttribute("d", d);
    s.appendChild(p);
    return s;
  }
  function safeUrl(u, only) {
    if (u == null || u === "") return null;
    var x;
    try { x = new URL(String(u), location.href); } catch (e) { return null; }
    return (only || /^(https?|mailto):$/).test(x.protocol) ? x.href : null;
  }
  function link(url, label) {
    var href = safeUrl(url);
    if (!href) return doc.createTextNode(label);
    return el("a", null, label, { href: href, target: "_blank", rel: "noopener noreferrer" });
  }
  // [label](url), **bold**, bare http(s)/mailto URLs and e-mail addresses; everything else is text
  var TOKEN = /\[([^\]\n]+)\]\(([^)\s]+)\)|\*\*([^*\n]+)\*\*|((?:https?:\/\/|mailto:)[^\s<>"']*[^\s<>"'.,;:!?)\]])|([\w.+-]+@[\w-]+(?:\.[\w-]+)+)/g;
  function rich(parent, text) {
    String(text).split(/\n{2,}/).forEach(function (para) {
      var p = el("p");
      para.split("\n").forEach(function (line, i) {
        if (i) p.appendChild(el("br"));
        var last = 0, m;
        TOKEN.lastIndex = 0;
        while ((m = TOKEN.exec(line))) {
          if (m.index > last) p.appendChild(doc.createTextNode(line.slice(last, m.index)));
          if (m[3]) p.appendChild(el("strong", null, m[3]));
          else p.appendChild(link(m[2] || m[4] || "mailto:" + m[5], m[1] || m[4] || m[5]));
          last = TOKEN.lastIndex;
        }
        if (last < line.length) p.appendChild(doc.createTextNode(line.slice(last)));
      });
      parent.appendChild(p);
    });
  }
  function fill(tpl, p) {
    return String(tpl).replace(/\{(\w+)\}/g, function (_, k) {
      var v = p[k] == null ? "" : String(p[k]);
      return k === "url" || k === "image" ? v : encodeURIComponent(v);
    });
  }
  function hue(s) {
    var h = 0;
    for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 360;
    return h;
  }

  // ---- the widget's elements (in a shadow root, so the shop's CSS cannot reach them) -----------
  var host = el("div", null, null, { id: "shopchat-widget" });
  var shadow = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var root = el("div", "sc-root sc-" + cfg.position, null, { style: palette(), "data-state": "connecting" });
  var launcher = el("button", "sc-launcher", null, { type: "button", "aria-expanded": "false", "aria-controls": "sc-panel" });
  var badge = el("span", "sc-badge", null, { "aria-hidden": "true" });
  launcher.append(icon(I.chat), icon(I.close), badge);
  var panel = el("section", "sc-panel", null, { id: "sc-panel", role: "dialog", "aria-labelledby": "sc-title" });
  var head = el("header", "sc-head");
  var titles = el("div", "sc-titles");
  var statusText = el("span");
  var status = el("p", "sc-status");
  status.append(el("span", "sc-dot"), statusText);
  titles.append(el("h2", "sc-title", cfg.title, { id: "sc-title" }), status);
  var langBox = el("span", "sc-lang"), langCode = el("span", null, null, { "aria-hidden": "true" });
  var langSel = el("select");  // invisible over the short code: native keyboard and screen reader support
  Object.keys(LANGS).forEach(function (k) { langSel.appendChild(el("option", null, LANGS[k], { value: k, lang: k })); });
  langBox.append(icon(I.globe), langCode, langSel);
  var restartBtn = el("button", "sc-icon", null, { type: "button" });
  restartBtn.appendChild(icon(I.restart));
  var closeBtn = el("button", "sc-icon", null, { type: "button" });
  closeBtn.appendChild(icon(I.close));
  head.append(titles, langBox, restartBtn, closeBtn);
  var banner = el("div", "sc-banner", null, { role: "alert" });
  var log = el("div", "sc-log", null, { role: "log", "aria-live": "polite", tabindex: "0" });
  var typing = el("div", "sc-typing", null, { role: "status" });
  var typingText = el("span", "sc-sr");
  typing.append(el("span", "sc-dots", null, { "aria-hidden": "true" }), typingText);
  typing.firstChild.append(el("i"), el("i"), el("i"));
  var form = el("form", "sc-form");
  var inputLabel = el("label", "sc-sr", null, { "for": "sc-input" });
  var input = el("textarea", "sc-input", null, { id: "sc-input", rows: "1", maxlength: "2000", autocomplete: "off" });
  var sendBtn = el("button", "sc-send", null, { type: "submit" });
  sendBtn.appendChild(icon(I.send));
  form.append(inputLabel, input, sendBtn);
  panel.append(head, banner, log, typing, form);
  root.append(panel, launcher);
  panel.hidden = banner.hidden = typing.hidden = badge.hidden = true;

  // ---- state --------------------------------------------------------------------------------
  var sessionId = load("session");
  var sessionToken = load("sessionToken");  // the server's signature of sessionId: proves the session is ours
  var socket = null, loading = false, confirmed = false, isOpen = false;
  var unread = 0, lastBot = null, agentName = null, talked = false, typingTimer = null;
  // Reliability (README, "Widget reliability"): every message shown has a key (bot and agent messages:
  // their tracker event's timestamp; the shopper's: the id this widget gave it), so the catch-up fetch
  // after a (re)connect, the live socket and the other tabs never show one twice. `cursor` is the
  // newest timestamp shown. Messages to send wait in localStorage ("queue:<session>") until the server
  // acknowledges them; only the tab holding the sender lock sends, one at a time, in order.
  var seen = {}, cursor = 0, mine = {}, leader = false, inflight = null, inflightTimer = null, catching = false;
  var tabId = newId(), chan = null, acked = {};

  function applyLang() {
    root.setAttribute("lang", lang);
    langSel.value = lang;
    langCode.textContent = SHORT[lang];
    langSel.setAttribute("aria-label", t("language"));
    restartBtn.setAttribute("aria-label", t("restart"));
    restartBtn.title = t("restart");
    closeBtn.setAttribute("aria-label", t("close"));
    closeBtn.title = t("close");
    log.setAttribute("aria-label", t("conversation"));
    inputLabel.textContent = t("message");
    input.placeholder = t("placeholder");
    sendBtn.setAttribute("aria-label", t("send"));
    typingText.textContent = t("typing");
    banner.textContent = t("offlineNote");
    setState(root.getAttribute("data-state"));
    updateBadge();
  }
  function setState(s) {
    root.setAttribute("data-state", s);
    statusText.textContent = s === "online" && agentName ? agentName + " · " + t("agent") : t(s);
    banner.hidden = s !== "offline";
  }
  function updateBadge() {
    badge.hidden = !unread;
    badge.textContent = unread > 9 ? "9+" : String(unread);
    launcher.setAttribute("aria-label", isOpen ? t("close") : t("open") + (unread ? " (" + t("unread", unread) + ")" : ""));
  }
  function scroll() { log.scrollTop = log.scrollHeight; }

  // ---- messages -----------------------------------------------------------------------------
  function retireAll() {
    var rows = log.querySelectorAll(".sc-replies:not(.sc-used)");
    for (var i = 0; i < rows.length; i++) retire(rows[i]);
  }
  function retire(row) {
    row.classList.add("sc-used");
    var b = row.querySelectorAll("button");
    for (var i = 0; i < b.length; i++) b[i].disabled = true;
  }
  function addUser(text, id) {
    talked = true;
    var m = el("div", "sc-msg sc-user");
    if (id) { mine[id] = m; seen["u" + id] = true; }
    var b = el("div", "sc-bubble");
    b.append(el("span", "sc-sr", t("you") + ": "), doc.createTextNode(text));
    m.appendChild(b);
    log.appendChild(m);
    return m;
  }
  function bubble(who, name) {
    var m = el("div", "sc-msg sc-" + who);
    if (who === "agent") {
      var n = el("div", "sc-name", null, { "aria-hidden": "true" });
      n.append(icon(I.person), doc.createTextNode(name));
    }
    var b = el("div", "sc-bubble");
    b.appendChild(el("span", "sc-sr", (who === "agent" ? name + " (" + t("agent") + ")" : t("bot")) + ": "));
    b._body = b.appendChild(el("div", "sc-text"));
    if (n) m.appendChild(n);
    m.appendChild(b);
    log.appendChild(m);
    if (who === "bot") { b._prev = lastBot; lastBot = b; }
    return b;
  }
  function setText(b, text) {
    b._text = text;
    b._body.textContent = "";
    rich(b._body, text);
  }
  function addText(text, who, name) {
    var b = bubble(who, name);
    setText(b, text);
    return b;
  }
  function addNote(text) {
    var n = el("div", "sc-note");
    n.append(icon(I.person), doc.createTextNode(text));
    log.appendChild(n);
  }
  function addReplies(replies) {
    replies = (replies || []).filter(function (r) { return r && r.payload; });
    if (!replies.length) return;
    var csat = replies.every(function (r) { return /^\/csat/.test(r.payload); });
    var row = el("div", "sc-replies" + (csat ? " sc-rating" : ""), null, { role: "group", "aria-label": csat ? t("rate") : null });
    if (csat) row.appendChild(el("span", "sc-rate-label", t("rate"), { "aria-hidden": "true" }));
    replies.forEach(function (r) {
      var title = String(r.title || r.payload);
      var b = el("button", "sc-chip", title, { type: "button", "aria-label": csat && /^\d$/.test(title) ? title + " " + t("of5") : null });
      b.onclick = function () {
        b.classList.add("sc-chosen");
        send(r.payload, title);
        input.focus();
      };
      row.appendChild(b);
    });
    log.appendChild(row);
  }
  function addCarousel(data) {
    var items = (data.products || []).filter(function (p) { return p && p.name; });
    if (!items.length) return;
    if (lastBot && lastBot._text) {  // the cards say what the numbered text list said
      var lines = lastBot._text.split("\n"), kept = lines.filter(function (l) { return !/^\s*\d+\.\s/.test(l); });
      if (kept.length && kept.length < lines.length) setText(lastBot, kept.join("\n"));
    }
    var first = (data.offset || 0) + 1, range = data.total ? " " + first + "–" + (first + items.length - 1) + " / " + data.total : "";
    var wrap = el("div", "sc-carousel", null, { role: "region", "aria-label": t("products") + range });
    var track = el("ul", "sc-track", null, { tabindex: "0", "aria-label": t("products") + range });
    items.forEach(function (p) { track.appendChild(card(p)); });
    function nav(d, dir, label) {
      var b = el("button", "sc-nav sc-nav-" + (dir < 0 ? "prev" : "next"), null, { type: "button", tabindex: "-1", "aria-label": label });
      b.appendChild(icon(d));
      b.onclick = function () { track.scrollBy({ left: dir * track.clientWidth * 0.8, behavior: "smooth" }); };
      return b;
    }
    var prev = nav(I.left, -1, t("prev")), next = nav(I.right, 1, t("next"));
    function update() {
      prev.disabled = track.scrollLeft < 4;
      next.disabled = track.scrollLeft + track.clientWidth > track.scrollWidth - 4;
    }
    track.addEventListener("scroll", update, { passive: true });
    wrap.append(prev, track, next);
    var after = log.lastChild;  // "Show more" belongs under the cards
    if (after && after.classList.contains("sc-replies")) log.insertBefore(wrap, after);
    else log.appendChild(wrap);
    setTimeout(update, 0);
  }
  function card(p) {
    var li = el("li", "sc-card");
    var media = el("div", "sc-media", null, { "aria-hidden": "true", style: "--h:" + hue(String(p.name)) });
    media.appendChild(el("span", "sc-ph", p.name));
    var src = p.image ? safeUrl(fill(cfg.imageUrl, p), /^https?:$/) : null;
    if (src) {
      var img = el("img", null, null, { alt: "", loading: "lazy", decoding: "async" });
      img.onerror = function () { img.remove(); };
      img.onload = function () { media.classList.add("sc-loaded"); };
      img.src = src;
      media.appendChild(img);
    }
    var body = el("div", "sc-cbody");
    var name = el("h3", "sc-cname");
    var href = p.url || p.sku ? safeUrl(fill(cfg.productUrl, p), /^https?:$/) : null;
    name.appendChild(href ? el("a", null, p.name, { href: href, target: "_blank", rel: "noopener noreferrer" }) : doc.createTextNode(p.name));
    body.append(name, el("p", "sc-price", p.price_text || (p.price != null ? p.price + " " + (p.currency || "") : "")));
    if (p.rating) {
      var r = el("p", "sc-stars");
      var full = Math.max(0, Math.min(5, Math.round(Number(p.rating) || 0)));
      r.append(el("span", "sc-star", "★★★★★".slice(0, full) + "☆☆☆☆☆".slice(0, 5 - full), { "aria-hidden": "true" }),
        doc.createTextNode(" " + Number(p.rating).toFixed(1)),
        el("span", "sc-sr", " " + t("of5")));
      if (p.review_count) r.append(el("span", "sc-count", " (" + p.review_count + ")", { "aria-hidden": "true" }),
        el("span", "sc-sr", ", " + p.review_count + " " + t("reviews")));
      body.appendChild(r);
    }
    li.append(media, body);
    return li;
  }
  function addSource(data) {
    var title = String(data.title || data.heading || "");
    if (!title) return;
    var target = lastBot;
    if (target && target._text) {  // the answer's own "Source: <title>" line becomes the linked one
      var paras = target._text.split(/\n{2,}/), tail = paras[paras.length - 1].trim();
      if (tail.length <= title.length + 16 && tail.slice(-title.length) === title) {
        paras.pop();
        if (paras.length) setText(target, paras.join("\n\n"));
        else {
          target.parentNode.remove();
          target = lastBot = target._prev && target._prev.isConnected ? target._prev : null;
        }
      }
    }
    if (!target) target = bubble("bot");
    var line = el("p", "sc-source");
    line.append(doc.createTextNode(t("source") + " "), link(data.url, title));
    target.appendChild(line);
  }
  function addImage(att) {
    var src = att && att.payload ? safeUrl(att.payload.src || att.payload.url, /^https?:$/) : null;
    if (!src) return;
    var b = bubble("bot");
    b.appendChild(el("img", "sc-image", null, { src: src, alt: att.payload.alt || "", loading: "lazy" }));
  }
  function onAgent(msg) {
    var name = (msg.agent && msg.agent.name) || t("agent");
    if (msg.handoff === "joined") agentName = name;
    if (msg.handoff === "left") agentName = null;
    if (msg.handoff === "joined" || msg.handoff === "left") addNote(msg.text);
    else addText(msg.text, "agent", name);
    setState(root.getAttribute("data-state"));
  }
  function stamp(v) { return typeof v === "number" && isFinite(v) && v > 0 ? v : null; }
  // A message from the socket ("live") or a history fetch: shown unless its key was shown already
  // (the several paragraphs of one live bot message share a key and are all shown).
  function receive(msg, source, old) {
    if (!msg || typeof msg !== "object") return;
    var ts = stamp(source === "live" ? msg.ts : msg.timestamp);
    if (ts && ts > cursor) cursor = ts;
    if (msg.role === "user") {
      var id = typeof msg.message_id === "string" ? msg.message_id : null;
      var key = id ? "u" + id : ts ? "t" + ts.toFixed(6) : null;
      if (id) dropQueued(id);  // the server has it: it is never sent again
      if (id && mine[id]) { settled(id); return; }
      if (key && seen[key]) return;
      if (key) seen[key] = true;
      addUser(msg.text, id);
      if (!old) scroll();
      return;
    }
    var k = ts ? "b" + ts.toFixed(6) : null;
    if (k && seen[k] && (source !== "live" || seen[k] !== "live")) return;
    if (k) seen[k] = source;
    onBot(msg, old);
  }
  function onBot(msg, old) {
    if (!msg || typeof msg !== "object") return;
    if (!old) hideTyping();
    followLanguage(msg.language);
    if (msg.agent && msg.text) onAgent(msg);
    else if (msg.text) addText(msg.text, "bot");
    var replies = msg.quick_replies || (msg.buttons || []).map(function (b) { return { title: b.title, payload: b.payload }; });
    if (replies.length) addReplies(replies);
    var c = msg.custom;
    if (c && c.type === "product_carousel") addCarousel(c);
    else if (c && c.type === "kb_source") addSource(c);
    if (msg.attachment) addImage(msg.attachment);
    if (!old) {
      if (!isOpen) { unread++; updateBadge(); }
      scroll();
    }
  }
  function greet() {
    log.textContent = "";
    lastBot = null;
    talked = false;
    addText(greeting(), "bot");
    addReplies(suggestions().map(function (s) { return { title: s, payload: s }; }));
  }

  // ---- typing indicator ---------------------------------------------------------------------
  function showTyping() {
    typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 30000);
    scroll();
  }
  function hideTyping() { typing.hidden = true; clearTimeout(typingTimer); }

  // ---- sending: through a queue in localStorage, acknowledged by the server, sent once ------------
  function newId() {
    var b = new Uint8Array(16), c = win.crypto;
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    return "w" + Array.prototype.map.call(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
  }
  function queueKey(id) { return "queue:" + ((id === undefined ? sessionId : id) || "new"); }
  function readQueue(id) {
    var q;
    try { q = JSON.parse(load(queueKey(id)) || "[]"); } catch (e) { q = []; }
    return Array.isArray(q) ? q.filter(function (i) {
      return i && typeof i.id === "string" && typeof i.message === "string" && i.message;
    }) : [];
  }
  function writeQueue(q, id) { store(queueKey(id), q.length ? JSON.stringify(q) : null); }
  function dropQueued(id) {
    var q = readQueue(), kept = q.filter(function (i) { return i.id !== id; });
    if (kept.length !== q.length) writeQueue(kept);
    if (inflight === id) { inflight = null; clearTimeout(inflightTimer); setTimeout(pump, 0); }
  }
  function markPending(m) {
    if (!m || m.classList.contains("sc-pending")) return;
    m.classList.add("sc-pending");
    var meta = el("span", "sc-meta");
    meta.append(icon(I.clock), doc.createTextNode(t("pending")));
    m.appendChild(meta);
  }
  function settled(id) {  // sent: no longer "waiting to send"
    var m = mine[id];
    if (!m) return;
    m.classList.remove("sc-pending");
    var meta = m.querySelector(".sc-meta");
    if (meta) meta.remove();
  }
  function showQueued(item) {
    if (mine[item.id]) return;
    addUser(item.shown || item.message, item.id);
    if (!confirmed) markPending(mine[item.id]);
    scroll();
  }
  function send(message, shown) {
    message = String(message || "").trim();
    if (!message) return;
    retireAll();
    var item = { id: newId(), message: message, shown: shown || message, tries: 0 };
    var q = readQueue();
    q.push(item);
    writeQueue(q);
    showQueued(item);
    bus({ type: "queued", item: item });
    connect();
    pump();
  }
  // The sending tab emits the oldest queued message and waits for the server's acknowledgement (Rasa has
  // handled it, or it was a repeat, or it is refused) before the next one: order is kept, and a message
  // whose acknowledgement was lost (disconnect, reload, a closed tab) is sent again marked "resent",
  // which the server drops when it has already handled that id.
  function pump() {
    if (!leader || inflight || !confirmed || !socket || !socket.connected) return;
    var q = readQueue().filter(function (i) { return !acked[i.id]; }), item = q[0];
    if (!item) return;
    item.tries = (item.tries || 0) + 1;
    writeQueue(q);
    inflight = item.id;
    var meta = chosen ? { language: chosen } : { browser_language: lang };
    meta.message_id = item.id;
    if (item.tries > 1) meta.resent = true;
    socket.emit("user_uttered", { message: item.message, session_id: sessionId, metadata: meta }, function (ack) {
      if (inflight !== item.id) return;
      clearTimeout(inflightTimer);
      inflight = null;
      acked[item.id] = true;
      writeQueue(readQueue().filter(function (i) { return i.id !== item.id; }));
      settled(item.id);
      bus({ type: "acked", id: item.id });
      if (!ack || ack.status !== "accepted") hideTyping();
      pump();
    });
    clearTimeout(inflightTimer);
    inflightTimer = setTimeout(function () {  // no acknowledgement: ask again (the server drops a repeat)
      if (inflight === item.id) { inflight = null; pump(); }
    }, 120000);
    settled(item.id);
    showTyping();
    bus({ type: "sending", id: item.id });
  }

  // ---- other tabs of this session: BroadcastChannel, or storage events where it is missing ----------
  function bus(msg) {
    msg.session = sessionId;
    msg.tab = tabId;
    if (chan) {
      try { chan.postMessage(msg); return; } catch (e) { /* fall back to storage */ }
    }
    store("bus", JSON.stringify({ m: msg, n: newId() }));
  }
  function onBus(msg) {
    if (!msg || typeof msg !== "object" || msg.tab === tabId || (msg.session || null) !== (sessionId || null)) return;
    if (msg.type === "queued" && msg.item && typeof msg.item.id === "string" && typeof msg.item.message === "string") {
      var item = { id: msg.item.id, message: msg.item.message, shown: String(msg.item.shown || msg.item.message), tries: 0 };
      showQueued(item);
      if (leader && !acked[item.id]) {  // the other tab's write to localStorage may reach this tab after its message
        var q = readQueue();
        if (!q.some(function (i) { return i.id === item.id; })) { q.push(item); writeQueue(q); }
      }
      connect();
      pump();
    } else if (msg.type === "sending" && typeof msg.id === "string") {
      settled(msg.id);
      showTyping();
    } else if (msg.type === "acked" && typeof msg.id === "string") {
      settled(msg.id);
    }
  }
  function onStorage(e) {
    if (e.key === KEY + "bus" && e.newValue) {
      try { onBus(JSON.parse(e.newValue).m); } catch (x) { /* not ours */ }
    } else if (e.key === KEY + queueKey()) {  // another tab queued a message
      readQueue().forEach(showQueued);
      pump();
    } else if (e.key === KEY + "session" && e.newValue && e.newValue !== sessionId) {
      follow(e.newValue, load("sessionToken"));  // another tab started over, or started first
    }
  }
  function follow(id, token) {  // continue the conversation another tab now has
    sessionId = id;
    sessionToken = token;
    seen = {}; mine = {}; cursor = 0; agentName = null; inflight = null;
    confirmed = false;  // until the socket has joined the new conversation
    hideTyping();
    greet();
    history().then(function () {
      readQueue().forEach(showQueued);
      if (socket && socket.connected) socket.emit("session_request", { session_id: sessionId, session_token: sessionToken });
      else connect();
    });
  }
  function elect() {  // one tab sends: the holder of a Web Lock, or of a renewed lease in localStorage
    var locks = win.navigator && navigator.locks;
    if (locks && locks.request) {
      locks.request(KEY + "sender", function () {
        leader = true;
        pump();
        return new Promise(function () { /* held while this page lives */ });
      }).catch(function () { leader = true; pump(); });
      return;
    }
    function lease() {
      var now = Date.now(), cur = null;
      try { cur = JSON.parse(load("leader") || "null"); } catch (e) { cur = null; }
      if (!cur || cur.tab === tabId || !(cur.until > now)) store("leader", JSON.stringify({ tab: tabId, until: now + 5000 }));
      try { cur = JSON.parse(load("leader") || "null"); } catch (e) { cur = null; }
      leader = !!cur && cur.tab === tabId;
      pump();
    }
    lease();
    setInterval(lease, 2000);
    win.addEventListener("pagehide", function () { if (leader) store("leader", null); });
  }

  // ---- connection ---------------------------------------------------------------------------
  function connect() {
    if (socket || loading) return;
    if (win.io && win.io.protocol >= 5) return start(win.io);
    loading = true;
    var previous = win.io;  // the shop's own socket.io client (if any) keeps its global
    var s = el("script", null, null, { src: BASE + "socket.io.min.js", async: "" });
    s.onload = function () {
      var lib = win.io;
      if (previous) win.io = previous;
      loading = false;
      start(lib);
    };
    s.onerror = function () {
      loading = false;
      s.remove();
      setState("offline");
      setTimeout(connect, 5000);
    };
    doc.head.appendChild(s);
  }
  function start(lib) {
    socket = lib(cfg.serverUrl, {
      path: cfg.socketPath, transports: ["websocket", "polling"], tryAllTransports: true,
      reconnectionDelay: 1000, reconnectionDelayMax: 5000, timeout: 10000
    });
    socket.on("connect", function () {
      setState("connecting");
      socket.emit("session_request", { session_id: sessionId || null, session_token: sessionToken || null });  // re-joins after a restart
    });
    socket.on("session_confirm", function (id) {
      var token = null;
      if (id && typeof id === "object") { token = id.session_token || null; id = id.session_id; }
      if (!id) return;
      var before = queueKey();
      sessionId = String(id);
      sessionToken = token;
      store("sessionToken", sessionToken);
      store("session", sessionId);
      if (before !== queueKey()) {  // typed before the server issued the session: those go to it now
        writeQueue(readQueue(null).concat(readQueue()), sessionId);
        store(before, null);
      }
      confirmed = true;
      setState("online");
      catchUp(0).then(pump);
    });
    socket.on("bot_uttered", function (msg) { receive(msg, "live", false); });
    socket.on("disconnect", function (reason) {
      confirmed = false;
      inflight = null;
      clearTimeout(inflightTimer);
      readQueue().forEach(function (i) { markPending(mine[i.id]); });
      hideTyping();
      setState(reason === "io client disconnect" ? "connecting" : "offline");
    });
    socket.on("connect_error", function () { confirmed = false; setState("offline"); });
  }
  function history() {
    if (!sessionId || !win.fetch) return Promise.resolve();
    return fetch(cfg.historyUrl + "?session_id=" + encodeURIComponent(sessionId) +
                 "&session_token=" + encodeURIComponent(sessionToken || ""))
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (data) {
        var messages = data.messages || [];
        followLanguage(data.language);
        messages.forEach(function (m) { receive(m, "history", true); });
        if (messages.length) {  // only the last bot message's buttons stay live
          talked = true;
          var rows = log.querySelectorAll(".sc-replies");
          for (var i = 0; i < rows.length; i++) if (rows[i] !== log.lastChild) retire(rows[i]);
        }
        scroll();
      })
      .catch(function () { /* the conversation continues without its history */ });
  }
  // After every (re)connect: what arrived while this page was not listening (bot, agent, other tabs).
  function catchUp(page) {
    if (!sessionId || !win.fetch || catching) return Promise.resolve();
    catching = true;
    return fetch(cfg.historyUrl + "?session_id=" + encodeURIComponent(sessionId) +
                 "&session_token=" + encodeURIComponent(sessionToken || "") + "&since=" + encodeURIComponent(cursor))
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (data) {
        catching = false;
        var n = log.childNodes.length;
        (data.messages || []).forEach(function (m) { receive(m, "history", false); });
        if (log.childNodes.length !== n) {
          var rows = log.querySelectorAll(".sc-replies");
          for (var i = 0; i < rows.length; i++) if (rows[i] !== log.lastChild) retire(rows[i]);
          scroll();
        }
        if (data.more && page < 20) return catchUp(page + 1);
      })
      .catch(function () { catching = false; /* the next reconnect tries again */ });
  }

  // ---- opening, closing, starting over ------------------------------------------------------
  function setOpen(open, focus) {
    isOpen = open;
    panel.hidden = !open;
    root.classList.toggle("sc-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    store("open", open ? "1" : null);
    if (open) {
      unread = 0;
      connect();
      scroll();
      if (focus !== false) input.focus();
    } else if (focus !== false) launcher.focus();
    updateBadge();
  }
  function restart() {
    store(queueKey(), null);  // what was not sent belongs to the conversation left behind
    sessionId = null;
    sessionToken = null;
    store("session", null);
    store("sessionToken", null);
    seen = {}; mine = {}; cursor = 0; inflight = null;
    confirmed = false;
    agentName = null;
    hideTyping();
    greet();
    if (socket) { socket.disconnect(); socket.connect(); } else connect();
    input.focus();
  }
  function setLanguage(value) {  // the shopper's choice in the menu: it persists
    if (!LANGS[value]) return;
    lang = chosen = value;
    store("lang", lang);
    applyLang();
    if (!talked) greet();
  }
  function followLanguage(value) {  // the conversation's language, from the server's replies
    if (chosen || !LANGS[value] || value === lang) return;
    lang = value;
    applyLang();
  }

  launcher.onclick = function () { setOpen(!isOpen); };
  closeBtn.onclick = function () { setOpen(false); };
  restartBtn.onclick = restart;
  langSel.onchange = function () { setLanguage(langSel.value); };
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); setOpen(false); }
  });
  form.onsubmit = function (e) {
    e.preventDefault();
    var text = input.value;
    input.value = "";
    input.style.height = "";
    send(text);
  };
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {  // not while an IME composes
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.onsubmit(e);
    }
  });
  input.addEventListener("input", function () {
    input.style.height = "";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  });

  function init() {
    var css = el("link", null, null, { rel: "stylesheet", href: BASE + "widget.css" });
    root.style.visibility = "hidden";
    css.onload = css.onerror = function () { root.style.visibility = ""; };
    shadow.append(css, root);
    doc.body.appendChild(host);
    applyLang();
    greet();
    try {
      chan = new BroadcastChannel(KEY + "tabs");
      chan.onmessage = function (e) { onBus(e.data); };
    } catch (e) { chan = null; }
    win.addEventListener("storage", onStorage);
    elect();
    var ready = (sessionId ? history() : Promise.resolve()).then(function () {
      var q = readQueue();
      q.forEach(showQueued);  // typed before a reload: shown as waiting, sent once connected
      if (sessionId || q.length) connect();
    });
    if (load("open") === "1" || user.open) ready.then(function () { setOpen(true, false); });
  }

  win.ShopChat = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    send: function (text) { send(text); },
    restart: restart,
    setLanguage: setLanguage,
    get sessionId() { return sessionId; },
    get language() { return lang; },
    get state() { return root.getAttribute("data-state"); }
  };
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})(window, document);
