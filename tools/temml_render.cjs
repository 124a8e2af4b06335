// Typeset formulas for the build as MathML with the project's Temml (node_modules/temml, pinned
// in package-lock.json). Started once per build by overrides/hooks/mathml.py (kept out of
// overrides/: mkdocs would copy it into the site).
// Protocol: one JSON request per line on stdin, {"tex": "...", "display": bool}; one JSON answer
// per line on stdout, {"html": "..."} or {"error": "..."}.
// `annotate` keeps each formula's TeX in the MathML (<annotation encoding="application/x-tex">):
// the site's checks read it back (tools/sitecheck.py), and a reader's tools can too.
"use strict";
const path = require("path");
const readline = require("readline");
// The CommonJS build (the package's "main" is the browser bundle, which only sets a global).
const temml = require(path.join(path.resolve(process.argv[2] || "node_modules/temml"), "dist", "temml.cjs"));

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  let answer;
  try {
    const { tex, display } = JSON.parse(line);
    answer = {
      html: temml.renderToString(tex, {
        displayMode: display,
        annotate: true,
        throwOnError: true,
        strict: false,
      }),
    };
  } catch (err) {
    answer = { error: String(err.message || err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
