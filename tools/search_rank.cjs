// Runs a built site's own search worker under node: the same code that answers a reader's query
// in the browser (mkdocs-material's search worker: lunr, its pipeline, tokenizer, Chinese query
// segmentation and post-query boosts), fed the site's own search/search_index.json.
//
//   node tools/search_rank.cjs SITE_DIR < queries.json > results.json
//
// queries.json is a JSON list of query strings; results.json maps each query to its result pages
// (paths like "/basics/backpropagation/"), best first, one entry per page, in the order the search
// dialog lists them. tools/search_rank.py scores the glossary queries with it in seconds; the
// browser test (tests/site/test_browser.py) stays the judge.
"use strict";

const fs = require("fs");
const path = require("path");
const vm = require("vm");

function loadWorker(site) {
  const scripts = path.join(site, "assets", "javascripts");
  const worker = fs
    .readdirSync(path.join(scripts, "workers"))
    .find((name) => /^search\.[0-9a-f]+\.min\.js$/.test(name));
  if (!worker) throw new Error(`no search worker in ${scripts}/workers`);

  let listener = null;
  const replies = [];
  const context = {
    console,
    addEventListener: (type, fn) => {
      if (type === "message") listener = fn;
    },
    postMessage: (message) => replies.push(message),
    // The worker asks for "../lunr/min/lunr.<lang>.min.js" and the stemmer support, relative
    // to its own URL (assets/javascripts/workers/).
    importScripts: (...urls) => {
      for (const url of urls) {
        const file = path.join(scripts, "workers", url);
        vm.runInContext(fs.readFileSync(file, "utf-8"), context, { filename: file });
      }
    },
  };
  context.self = context;
  vm.createContext(context);
  const file = path.join(scripts, "workers", worker);
  vm.runInContext(fs.readFileSync(file, "utf-8"), context, { filename: file });
  if (!listener) throw new Error(`${worker} registered no message listener`);

  // Each message is answered by one postMessage, once the handler's promise settles.
  return async (message) => {
    const before = replies.length;
    await listener({ data: message });
    for (let i = 0; i < 100 && replies.length === before; i++)
      await new Promise((resolve) => setImmediate(resolve));
    if (replies.length === before) throw new Error("the worker did not answer");
    return replies[replies.length - 1];
  };
}

async function main() {
  const site = path.resolve(process.argv[2] || "site");
  const queries = JSON.parse(fs.readFileSync(0, "utf-8"));
  const index = JSON.parse(
    fs.readFileSync(path.join(site, "search", "search_index.json"), "utf-8"),
  );
  const send = loadWorker(site);
  // Message types: 0 setup, 1 ready, 2 query, 3 result (SearchMessageType). The page sends the
  // index's config and docs, and options.suggest from the theme feature (on in mkdocs.yml).
  const ready = await send({
    type: 0,
    data: { config: index.config, docs: index.docs, options: { suggest: true } },
  });
  if (ready.type !== 1) throw new Error(`unexpected setup reply ${JSON.stringify(ready)}`);
  const results = {};
  for (const query of queries) {
    const reply = await send({ type: 2, data: query });
    if (reply.type !== 3) throw new Error(`unexpected reply to ${query}`);
    // One group per page, in the worker's order; a group's first item is its best match.
    results[query] = reply.data.items.map((group) => {
      const location = group[0].location.split("#")[0];
      return "/" + location;
    });
    results[query] = [...new Set(results[query])];
  }
  process.stdout.write(JSON.stringify(results, null, 1) + "\n");
}

module.exports = { loadWorker };

if (require.main === module)
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
