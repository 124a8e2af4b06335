// Typeset every formula that pymdownx.arithmatex marked, with the KaTeX copy the site vendors.
// A formula KaTeX cannot parse is reported on the console (the browser tests fail on it).
(function () {
  function typeset(tex, el, display) {
    try {
      katex.render(tex, el, { displayMode: display, throwOnError: true, strict: "ignore" });
      return true;
    } catch (err) {
      console.error("KaTeX: " + err.message + " in: " + tex);
      return false;
    }
  }

  // Formulas in the page body: <span class="arithmatex">\(..\)</span>, <div ...>\[..\]</div>.
  function renderBody(root) {
    root.querySelectorAll(".arithmatex").forEach(function (el) {
      if (el.dataset.katexDone) return;
      var tex = el.textContent.trim().replace(/^\\[\(\[]/, "").replace(/\\[\)\]]$/, "");
      if (typeset(tex, el, el.tagName === "DIV")) el.dataset.katexDone = "1";
    });
  }

  // A heading with math reaches the table of contents as plain text "梯度：\(...\)":
  // typeset those inline pieces too.
  function renderNav(root) {
    root.querySelectorAll(".md-nav .md-ellipsis, .md-nav__link").forEach(function (el) {
      if (el.children.length || el.textContent.indexOf("\\(") < 0) return;
      var parts = el.textContent.split(/\\\((.+?)\\\)/); // odd indices hold TeX
      el.textContent = "";
      parts.forEach(function (part, i) {
        if (i % 2 === 0) {
          if (part) el.appendChild(document.createTextNode(part));
          return;
        }
        var span = document.createElement("span");
        if (!typeset(part, span, false)) span.textContent = part;
        el.appendChild(span);
      });
    });
  }

  function render(root) {
    renderBody(root);
    renderNav(document);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(function (page) { render(page.body || document.body); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { render(document.body); });
  }
})();
