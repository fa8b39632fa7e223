// tongdai citizen page: search procedures and show one.  Plain JS, no
// framework.  Every value from the API goes into the page through
// textContent, never innerHTML, so record text cannot inject markup.
(function () {
  "use strict";

  var PAGE = 20;
  var state = { q: "", offset: 0, total: 0, seq: 0 };

  var $ = function (id) { return document.getElementById(id); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) {
          var msg = body && body.error && body.error.message;
          throw new Error(msg || "Không tải được dữ liệu (mã lỗi " + r.status + ").");
        }
        return body;
      });
    }, function () {
      throw new Error("Không kết nối được tới máy chủ. Vui lòng kiểm tra mạng và thử lại.");
    });
  }

  function setStatus(text, isError) {
    var s = $("search-status");
    s.textContent = text;
    s.className = isError ? "status error" : "status";
  }

  // ---- search ---------------------------------------------------------

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

  function formatDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] : iso;
  }

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
    $("search-view").hidden = true;
    $("detail-view").hidden = false;
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

  function showSearch() {
    $("detail-view").hidden = true;
    $("search-view").hidden = false;
    document.title = "Tra cứu thủ tục hành chính – Tổng đài Hà Nội";
  }

  // ---- wiring ---------------------------------------------------------

  function route() {
    var m = /^#\/thu-tuc\/(.+)$/.exec(location.hash);
    if (m) showDetail(decodeURIComponent(m[1]));
    else showSearch();
  }

  document.addEventListener("DOMContentLoaded", function () {
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
    route();
    search("", false);
  });
})();
