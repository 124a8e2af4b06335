// SVGO (node_modules/svgo, pinned in package-lock.json) for tools/optimize_svg.py.
//
//   node tools/optimize_svg.cjs SVGO_DIR < request.json > answer.json
//
// The request: {"config": {...}, "files": [{"name": ..., "svg": ...}]}, "config" being SVGO's
// configuration as JSON (its plugins and their parameters). The answer: {"files": [{"name":
// ..., "svg": ...}]}, in the request's order.
"use strict";

const path = require("path");

// By its package name from the folder that holds SVGO_DIR: the package resolves through its
// "exports" (a path to the folder would not).
const root = path.dirname(path.dirname(path.resolve(process.argv[2])));
const { optimize } = require(require.resolve("svgo", { paths: [root] }));

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const files = request.files.map((file) => ({
    name: file.name,
    svg: optimize(file.svg, { ...request.config, path: file.name }).data,
  }));
  process.stdout.write(JSON.stringify({ files }));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
