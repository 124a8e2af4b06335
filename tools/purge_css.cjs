// PurgeCSS (node_modules/purgecss, pinned in package-lock.json) for tools/purge_css.py.
//
//   node tools/purge_css.cjs PURGECSS_DIR < request.json > answer.json
//
// The request: {"css": [{"name": ..., "raw": ...}], "content": "...", "safelist": {"standard":
// [...], "patterns": [...]}}. "content" is every word PurgeCSS's default extractor would find in
// the site's pages and the theme's scripts, found by the Python side with the same pattern
// ([A-Za-z0-9_-]+), so the answer depends on nothing but the request. "patterns" are regular
// expression sources (JSON has no RegExp). The answer: {"css": [{"name": ..., "raw": ...}]}, in
// the request's order.
"use strict";

const path = require("path");

const { PurgeCSS } = require(path.resolve(process.argv[2]));

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const safelist = request.safelist || {};
  const results = await new PurgeCSS().purge({
    content: [{ raw: request.content, extension: "txt" }],
    css: request.css.map((sheet) => ({ raw: sheet.raw, name: sheet.name })),
    safelist: {
      standard: [
        ...(safelist.standard || []),
        ...(safelist.patterns || []).map((source) => new RegExp(source)),
      ],
    },
  });
  const answer = { css: results.map((r) => ({ name: r.file, raw: r.css })) };
  process.stdout.write(JSON.stringify(answer));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
