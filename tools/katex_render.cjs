// Typeset formulas for the build with the project's KaTeX (node_modules/katex, pinned in
// package-lock.json). Started once per build by overrides/hooks/katex.py (kept out of overrides/:
// mkdocs would copy it into the site).
// Protocol: one JSON request per line on stdin, {"tex": "...", "display": bool}; one JSON answer
// per line on stdout, {"html": "..."} or {"error": "..."}.
"use strict";
const path = require("path");
const readline = require("readline");
const katex = require(path.resolve(process.argv[2] || "node_modules/katex"));

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  let answer;
  try {
    const { tex, display } = JSON.parse(line);
    answer = {
      html: katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "ignore" }),
    };
  } catch (err) {
    answer = { error: String(err.message || err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
