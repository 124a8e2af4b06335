// Render every formula of the built site with the project's KaTeX, as the build's hook does
// (overrides/hooks/katex.py with tools/katex_render.cjs).
// Usage: node katex_parse.cjs path/to/katex.min.js < formulas.json
// stdin: [{page, tex, display}], tex from the MathML annotation (or, for a formula the build
// did not typeset, as it stands in the HTML, with \( \) or \[ \]).
// stdout: a JSON list of problems (empty when every formula renders).
"use strict";
const fs = require("fs");
const katex = require(process.argv[2]);

const formulas = JSON.parse(fs.readFileSync(0, "utf8"));
const problems = [];
for (const { page, tex, display } of formulas) {
  // Arithmatex's delimiters, if the TeX still has them.
  const body = tex.trim().replace(/^\\[\(\[]/, "").replace(/\\[\)\]]$/, "");
  if (!body.trim()) {
    problems.push(`${page}: empty formula ${JSON.stringify(tex)}`);
    continue;
  }
  try {
    katex.renderToString(body, { displayMode: display, throwOnError: true, strict: "ignore" });
  } catch (err) {
    problems.push(`${page}: ${err.message} in ${JSON.stringify(body.slice(0, 200))}`);
  }
}
process.stdout.write(JSON.stringify(problems));
