// terser (node_modules/terser, pinned in package-lock.json) for tools/minify_js.py.
//
//   node tools/minify_js.cjs TERSER_DIR < request.json > answer.json
//
// The request: {"options": {...}, "scripts": [{"name": ..., "code": ...}]}; "options" are
// terser's minify options as JSON. The answer: {"scripts": [{"name": ..., "code": ...}]}, in the
// request's order. A script terser cannot parse fails the whole request (exit 1, its message
// and the script's name on stderr).
"use strict";

const path = require("path");

const { minify } = require(path.resolve(process.argv[2]));

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const scripts = [];
  for (const script of request.scripts) {
    let result;
    try {
      result = await minify(script.code, request.options);
    } catch (error) {
      throw new Error(`${script.name}: ${error && error.message ? error.message : error}`);
    }
    scripts.push({ name: script.name, code: result.code });
  }
  process.stdout.write(JSON.stringify({ scripts }));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
