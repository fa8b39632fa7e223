// tongdai citizen page: a chat with the switchboard (primary) and a
// procedure search (secondary).  Plain JS, no framework, nothing loaded from
// other sites.  Every value from the API goes into the page through
// textContent or DOM nodes, never innerHTML, so record text and answers
// cannot inject markup.
(function () {
  "use strict";

  var PAGE = 20;
  var SESSION_KEY = "tongdai.session";
  var HANDOVER = "Tôi muốn gặp tổng đài viên";
  var state = { q: "", offset: 0, total: 0, seq: 0, searched: false, busy: false };

  var $ = function (id) { return document.getElementById(id); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function errorFrom(r, body) {
    var msg = body && body.error && body.error.message;
    return new Error(msg || "Không tải được dữ liệu (mã lỗi " + r.status + ").");
  }

  function offline() {
    return new Error("Không kết nối được tới máy chủ. Vui lòng kiểm tra mạng và thử lại.");
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) throw errorFrom(r, body);
        return body;
      });
    }, function () { throw offline(); });
  }

  function postJSON(url, data) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(data)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) throw errorFrom(r, body);
        return body;
      });
    }, function () { throw offline(); });
  }

  function formatDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] : iso;
  }

  // ---- session storage (may be unavailable: private mode, policies) -----

  function loadSession() {
    try { return window.sessionStorage.getItem(SESSION_KEY); } catch (e) { return null; }
  }
  function saveSession(id) {
    try {
      if (id) window.sessionStorage.setItem(SESSION_KEY, id);
      else window.sessionStorage.removeItem(SESSION_KEY);
    } catch (e) { /* keeps working without memory between reloads */ }
  }

  // ---- chat -------------------------------------------------------------

  function scrollLog() {
    var log = $("log");
    var last = log.lastElementChild;
    if (last && last.scrollIntoView) last.scrollIntoView({ block: "end" });
  }

  function addBubble(who, node) {
    var li = el("li", "msg " + who);
    var label = el("span", "visually-hidden", who === "me" ? "Bạn: " : "Tổng đài: ");
    li.appendChild(label);
    li.appendChild(node);
    $("log").appendChild(li);
    scrollLog();
    return li;
  }

  function addMine(text) {
    addBubble("me", el("p", "text", text));
  }

  function safeURL(u) {
    return /^https?:\/\/[^\s]+$/.test(u) ? u : null;
  }

  // "Nguồn: URL (cập nhật 2026-11-28)" -> text + link opened in a new tab.
  function sourceLine(line) {
    var p = el("p", "source");
    var m = /^Nguồn:\s*(\S+)(.*)$/.exec(line);
    var url = m && safeURL(m[1]);
    if (!url) {
      p.textContent = line;
      return p;
    }
    p.appendChild(document.createTextNode("Nguồn: "));
    var a = el("a", null, "xem văn bản gốc");
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.title = url;
    p.appendChild(a);
    var rest = m[2].replace(/cập nhật (\d{4}-\d{2}-\d{2})/, function (_, d) {
      return "cập nhật " + formatDate(d);
    });
    if (rest) p.appendChild(document.createTextNode(rest));
    return p;
  }

  // The composer's plain-text answer -> paragraphs, lists, source link.
  // Lines "1. …" become an ordered list, "- …" a bulleted one, "* …:" a
  // sub-heading, "Lưu ý: …" a note; the first line of an answered question
  // (the procedure and its code) is bold.
  function renderAnswer(d) {
    var box = el("div", "answer");
    var lines = String(d.answer || "").split("\n");
    var list = null, listTag = null, notes = null;
    function closeList() { list = null; listTag = null; }
    lines.forEach(function (line, i) {
      if (!line.trim()) { closeList(); return; }
      var m;
      if (i === 0 && d.status === "answered" && d.procedure) {
        box.appendChild(el("p", "proc", "")).appendChild(el("strong", null, line));
        return;
      }
      if (/^Nguồn:/.test(line)) { closeList(); box.appendChild(sourceLine(line)); return; }
      if (/^Lưu ý:/.test(line)) {
        closeList();
        if (!notes) { notes = el("ul", "notes"); box.appendChild(notes); }
        notes.appendChild(el("li", null, line.replace(/^Lưu ý:\s*/, "")));
        return;
      }
      if ((m = /^(\d+)[.)]\s+(.*)$/.exec(line))) {
        if (listTag !== "ol") { list = el("ol"); listTag = "ol"; box.appendChild(list); }
        var li = el("li", null, m[2]);
        li.value = parseInt(m[1], 10);
        list.appendChild(li);
        return;
      }
      if ((m = /^-\s+(.*)$/.exec(line))) {
        if (listTag !== "ul") { list = el("ul"); listTag = "ul"; box.appendChild(list); }
        list.appendChild(el("li", null, m[1]));
        return;
      }
      if ((m = /^\*\s+(.*)$/.exec(line))) {
        closeList();
        box.appendChild(el("p", "subhead", m[1]));
        return;
      }
      closeList();
      box.appendChild(el("p", null, line));
    });
    return box;
  }

  // Clarification: "1) Name (mã …)" lines become buttons sending the number.
  function renderOptions(d) {
    var opts = [];
    String(d.answer || "").split("\n").forEach(function (line) {
      var m = /^(\d)\)\s+(.*)$/.exec(line);
      if (m) opts.push({ n: m[1], label: m[2].replace(/\s*\(mã [^)]*\)\s*$/, "") });
    });
    if (!opts.length) return null;
    var group = el("div", "options");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Chọn thủ tục");
    opts.forEach(function (o) {
      var b = el("button", "option");
      b.type = "button";
      b.appendChild(el("span", "num", o.n));
      b.appendChild(el("span", "label", o.label));
      b.setAttribute("aria-label", "Chọn " + o.n + ": " + o.label);
      b.addEventListener("click", function () { send(o.n); });
      group.appendChild(b);
    });
    return group;
  }

  function addAnswer(d) {
    var wrap = el("div");
    if (d.status === "clarify") {
      var first = String(d.answer || "").split("\n")[0];
      wrap.appendChild(el("p", null, first));
      var opts = renderOptions(d);
      if (opts) wrap.appendChild(opts);
      else wrap.appendChild(renderAnswer(d));
      wrap.appendChild(el("p", "hint", "Chọn một thủ tục ở trên, hoặc nói rõ hơn việc anh/chị cần làm."));
    } else {
      wrap.appendChild(renderAnswer(d));
    }
    addBubble("bot", wrap);
  }

  function setChatStatus(text, isError) {
    var s = $("chat-status");
    s.textContent = text || "";
    s.className = isError ? "status error" : "status";
  }

  function setBusy(b) {
    state.busy = b;
    $("send").disabled = b;
    $("handover").disabled = b;
    var opts = document.querySelectorAll("#log .option");
    for (var i = 0; i < opts.length; i++) opts[i].disabled = b;
  }

  function updateNote(asOf) {
    if (!asOf) return;
    $("kb-note").textContent = "Câu trả lời được lấy từ cơ sở dữ liệu thủ tục hành chính của tổng đài " +
      "(cập nhật đến ngày " + formatDate(asOf) + ") và luôn kèm nguồn. " +
      "Vui lòng đối chiếu nguồn chính thức trước khi nộp hồ sơ.";
  }

  function send(text) {
    text = String(text || "").trim();
    if (!text || state.busy) return;
    if (text.length > 2000) {
      setChatStatus("Câu hỏi quá dài (tối đa 2.000 ký tự). Vui lòng hỏi ngắn gọn hơn.", true);
      return;
    }
    addMine(text);
    setBusy(true);
    setChatStatus("Tổng đài đang trả lời…");
    var body = { message: text, channel: "web" };
    var sid = loadSession();
    if (sid) body.session_id = sid;
    postJSON("/api/v1/chat", body).then(function (d) {
      saveSession(d.session_id);
      if (d.session_status === "expired") {
        addBubble("bot", el("p", "hint", "Phiên trò chuyện trước đã hết hạn, tổng đài bắt đầu phiên mới."));
      }
      addAnswer(d);
      updateNote(d.kb_as_of);
      setChatStatus("");
    }).catch(function (e) {
      setChatStatus("Xin lỗi, chưa gửi được câu hỏi: " + e.message, true);
    }).then(function () {
      setBusy(false);
    });
  }

  function greet() {
    var p = el("div");
    p.appendChild(el("p", null, "Xin chào! Tôi là tổng đài tự động về thủ tục hành chính của Hà Nội."));
    p.appendChild(el("p", null, "Anh/chị cần hỏi thủ tục gì? Ví dụ: “Đăng ký khai sinh cần giấy tờ gì?”, " +
      "“Làm lại căn cước mất bao lâu?”"));
    addBubble("bot", p);
  }

  // ---- search ---------------------------------------------------------

  function setStatus(text, isError) {
    var s = $("search-status");
    s.textContent = text;
    s.className = isError ? "status error" : "status";
  }

  function search(q, append) {
    var seq = ++state.seq;
    if (!append) {
      state.q = q;
      state.offset = 0;
    }
    var url = "/api/v1/procedures?limit=" + PAGE + "&offset=" + state.offset;
    if (q) url += "&q=" + encodeURIComponent(q);
    setStatus("Đang tìm…");
    getJSON(url).then(function (d) {
      if (seq !== state.seq) return; // a newer search has started
      var list = $("results");
      if (!append) list.textContent = "";
      d.items.forEach(function (it) { list.appendChild(resultItem(it)); });
      state.total = d.total;
      state.offset += d.items.length;
      if (d.total === 0) {
        setStatus(q ? "Không tìm thấy thủ tục phù hợp với “" + q + "”. Hãy thử từ khóa ngắn hơn."
                    : "Chưa có thủ tục nào trong cơ sở dữ liệu.");
      } else {
        setStatus(q ? "Tìm thấy " + d.total + " thủ tục." : "Có " + d.total + " thủ tục. Nhập từ khóa để thu hẹp.");
      }
      $("more").hidden = state.offset >= state.total;
    }).catch(function (e) {
      if (seq === state.seq) setStatus(e.message, true);
    });
  }

  function resultItem(it) {
    var li = el("li");
    var a = el("a");
    a.href = "#/thu-tuc/" + encodeURIComponent(it.code);
    a.appendChild(el("span", "name", it.name));
    var meta = [it.field, (it.levels || []).join(", "), "Mã " + it.code].filter(Boolean).join(" · ");
    a.appendChild(el("span", "meta", meta));
    li.appendChild(a);
    return li;
  }

  // ---- detail ---------------------------------------------------------

  var CHANNEL = { direct: "Nộp trực tiếp", online: "Nộp trực tuyến", post: "Qua dịch vụ bưu chính" };

  function formatVND(n) {
    return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ".") + " đồng";
  }

  function durationText(d) {
    if (!d) return "Chưa có thông tin";
    return d.text || "Chưa có thông tin";
  }

  function feeText(f) {
    if (!f) return "Chưa có thông tin";
    if (f.text) return f.text;
    if (f.free) return "Miễn phí";
    if (typeof f.amount_vnd === "number") return formatVND(f.amount_vnd);
    return "Chưa có thông tin";
  }

  function fact(dl, label, value) {
    if (!value) return;
    dl.appendChild(el("dt", null, label));
    dl.appendChild(el("dd", null, value));
  }

  function section(parent, title) {
    parent.appendChild(el("h2", null, title));
  }

  function countText(item) {
    var parts = [];
    if (item.originals > 0) parts.push(item.originals + " bản chính");
    if (item.copies > 0) parts.push(item.copies + " bản sao");
    return parts.join(", ");
  }

  function renderDetail(p) {
    var a = $("detail");
    a.textContent = "";
    a.appendChild(el("h1", null, p.name));
    a.appendChild(el("p", "code", "Mã thủ tục: " + p.code));
    if (p.as_of) a.appendChild(el("p", "asof", "Cập nhật ngày " + formatDate(p.as_of)));
    if (p.sample) {
      a.appendChild(el("p", "notice",
        "Đây là dữ liệu mẫu để thử nghiệm, chưa phải thông tin công bố chính thức."));
    }

    var dl = el("dl", "facts");
    fact(dl, "Lĩnh vực", p.field);
    fact(dl, "Cấp thực hiện", (p.levels || []).join(", "));
    fact(dl, "Cơ quan thực hiện", p.agency);
    fact(dl, "Nơi nộp hồ sơ", p.submit_place);
    fact(dl, "Đối tượng", (p.subjects || []).join(", "));
    fact(dl, "Mức độ trực tuyến", p.online_level);
    fact(dl, "Kết quả", p.result);
    a.appendChild(dl);

    if (p.channels && p.channels.length) {
      section(a, "Cách thức thực hiện, thời hạn và lệ phí");
      var box = el("div", "channels");
      p.channels.forEach(function (c) {
        var d = el("div", "channel");
        d.appendChild(el("h3", null, CHANNEL[c.channel] || c.channel));
        var t = el("p");
        t.appendChild(el("span", "label", "Thời hạn: "));
        t.appendChild(document.createTextNode(durationText(c.duration)));
        d.appendChild(t);
        var f = el("p");
        f.appendChild(el("span", "label", "Phí, lệ phí: "));
        f.appendChild(document.createTextNode(feeText(c.fee)));
        d.appendChild(f);
        if (c.description) d.appendChild(el("p", "small", c.description));
        box.appendChild(d);
      });
      a.appendChild(box);
    }

    if (p.dossier && p.dossier.length) {
      section(a, "Thành phần hồ sơ");
      var ul = el("ul", "plain");
      p.dossier.forEach(function (item) {
        var li = el("li", null, item.name);
        var extra = [countText(item), item.form ? "Mẫu: " + item.form : ""].filter(Boolean).join(" · ");
        if (extra) li.appendChild(el("div", "small", extra));
        if (item["case"]) li.appendChild(el("div", "small", "Áp dụng: " + item["case"]));
        ul.appendChild(li);
      });
      a.appendChild(ul);
    }

    if (p.steps) {
      section(a, "Trình tự thực hiện");
      a.appendChild(el("p", "steps", p.steps));
    }
    if (p.conditions) {
      section(a, "Yêu cầu, điều kiện");
      a.appendChild(el("p", "steps", p.conditions));
    }

    if (p.legal_basis && p.legal_basis.length) {
      section(a, "Căn cứ pháp lý");
      var lul = el("ul", "plain");
      p.legal_basis.forEach(function (l) {
        var head = [l.number, l.title].filter(Boolean).join(" – ");
        var li = el("li", null, head);
        var extra = [l.issuer, l.date ? "ngày " + formatDate(l.date) : ""].filter(Boolean).join(", ");
        if (extra) li.appendChild(el("div", "small", extra));
        lul.appendChild(li);
      });
      a.appendChild(lul);
    }

    if (p.notes && p.notes.length) {
      section(a, "Lưu ý");
      var nul = el("ul", "plain");
      p.notes.forEach(function (n) { nul.appendChild(el("li", null, n)); });
      a.appendChild(nul);
    }

    if (p.source_url && /^https?:\/\//.test(p.source_url)) {
      var src = el("p", "small");
      src.appendChild(document.createTextNode("Nguồn: "));
      var link = el("a", null, p.source_url);
      link.href = p.source_url;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      src.appendChild(link);
      a.appendChild(src);
    }
  }

  function showDetail(code) {
    showView("detail-view");
    var a = $("detail");
    a.textContent = "";
    a.appendChild(el("p", "status", "Đang tải…"));
    getJSON("/api/v1/procedures/" + encodeURIComponent(code)).then(function (p) {
      renderDetail(p);
      document.title = p.name + " – Tra cứu thủ tục hành chính";
      window.scrollTo(0, 0);
    }).catch(function (e) {
      a.textContent = "";
      a.appendChild(el("p", "status error", e.message));
    });
  }


  // ---- views and wiring ---------------------------------------------------

  function showView(id) {
    ["chat-view", "search-view", "detail-view"].forEach(function (v) { $(v).hidden = v !== id; });
    var chat = id === "chat-view";
    if (chat) $("tab-chat").setAttribute("aria-current", "page");
    else $("tab-chat").removeAttribute("aria-current");
    if (!chat) $("tab-search").setAttribute("aria-current", "page");
    else $("tab-search").removeAttribute("aria-current");
  }

  function route() {
    var m = /^#\/thu-tuc\/(.+)$/.exec(location.hash);
    if (m) {
      showDetail(decodeURIComponent(m[1]));
    } else if (location.hash === "#/tra-cuu") {
      showView("search-view");
      document.title = "Tra cứu thủ tục hành chính – Tổng đài Hà Nội";
      if (!state.searched) { state.searched = true; search("", false); }
    } else {
      showView("chat-view");
      document.title = "Hỏi đáp thủ tục hành chính – Tổng đài Hà Nội";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var msg = $("message");
    $("chat-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var t = msg.value;
      if (!t.trim()) { setChatStatus("Vui lòng nhập câu hỏi.", true); msg.focus(); return; }
      msg.value = "";
      send(t);
    });
    msg.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        $("chat-form").requestSubmit ? $("chat-form").requestSubmit() : $("send").click();
      }
    });
    $("handover").addEventListener("click", function () { send(HANDOVER); });
    $("restart").addEventListener("click", function () {
      saveSession(null);
      $("log").textContent = "";
      setChatStatus("");
      greet();
      msg.focus();
    });

    var input = $("q");
    var timer = null;
    $("search-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      search(input.value.trim(), false);
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { search(input.value.trim(), false); }, 250);
    });
    $("more").addEventListener("click", function () { search(state.q, true); });
    window.addEventListener("hashchange", route);

    greet();
    getJSON("/healthz").then(function (h) { updateNote(h.kb_as_of); }, function () {});
    route();
  });
})();
