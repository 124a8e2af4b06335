// Typeset every formula that pymdownx.arithmatex marked, with the KaTeX copy the site vendors.
// A formula KaTeX cannot parse is reported on the console (the browser tests fail on it).
(function () {
  function render(root) {
    root.querySelectorAll(".arithmatex").forEach(function (el) {
      if (el.dataset.katexDone) return;
      var tex = el.textContent.trim();
      var display = el.tagName === "DIV";
      tex = tex.replace(/^\\[\(\[]/, "").replace(/\\[\)\]]$/, "");
      try {
        katex.render(tex, el, { displayMode: display, throwOnError: true, strict: "ignore" });
        el.dataset.katexDone = "1";
      } catch (err) {
        console.error("KaTeX: " + err.message + " in: " + tex);
      }
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(function (page) { render(page.body || document.body); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { render(document.body); });
  }
})();
