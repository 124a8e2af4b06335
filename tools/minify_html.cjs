// html-minifier-terser (node_modules/html-minifier-terser, pinned in package-lock.json) for
// tools/minify_html.py.
//
//   node tools/minify_html.cjs MINIFIER_DIR < request.json > answer.json
//
// The request: {"options": {...}, "ignore": ["regex source", ...], "pages": [{"name": ...,
// "html": ...}]}. "options" are html-minifier-terser's options as JSON; "ignore" are the sources
// of its ignoreCustomFragments (JSON has no RegExp): fragments it copies as they are. The
// answer: {"pages": [{"name": ..., "html": ...}]}, in the request's order.
"use strict";

const path = require("path");

const { minify } = require(path.resolve(process.argv[2]));

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const options = {
    ...request.options,
    ignoreCustomFragments: (request.ignore || []).map((source) => new RegExp(source)),
  };
  const pages = [];
  for (const page of request.pages) {
    pages.push({ name: page.name, html: await minify(page.html, options) });
  }
  process.stdout.write(JSON.stringify({ pages }));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
