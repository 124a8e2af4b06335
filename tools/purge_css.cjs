// PurgeCSS (node_modules/purgecss, pinned in package-lock.json) for tools/purge_css.py.
//
//   node tools/purge_css.cjs PURGECSS_DIR < request.json > answer.json
//
// The request: {"css": [{"name": ..., "raw": ...}], "content": "...", "safelist": {"standard":
// [...], "patterns": [...]}, "not_attribute_values": [...]}. "content" is every word PurgeCSS's
// default extractor would find in the site's pages and the theme's scripts, found by the Python
// side with the same pattern ([A-Za-z0-9_-]+), so the answer depends on nothing but the request.
// "patterns" are regular expression sources (JSON has no RegExp). "not_attribute_values" are
// words of the content that no element has as an attribute's value: the extractor hands
// PurgeCSS its words as a detailed result (PurgeCSS's ExtractorResultDetailed) in which these
// may be a class, an id, a tag or an attribute's name but not an attribute's value, so a
// selector such as [dir=rtl] is dropped while .rtl or [rtl] would stay.
//
// PurgeCSS keeps every comment, also those that described the rules it removed, and an at-rule
// whose rules all went but a comment (Temml's "@supports (-moz-appearance: none)" block). With
// postcss, the parser PurgeCSS runs on (its dependency, pinned in package-lock.json), the purged
// sheet loses its comments but "/*! ... */" ones (the convention for notices a minifier keeps),
// then the at-rules left without anything in them. Neither changes what a rule applies.
//
// "tabs" (a number or null) is the most tabs any tabbed set of the site has. The theme styles
// the Nth tab of a tabbed set for every N up to 20: its input, its label and its block, each
// with a selector that holds ":nth-child(N)" and a word with "tabbed" (".md-typeset .tabbed-set >
// input:nth-child(12):checked ~ .tabbed-labels > :nth-child(12)"). Such a selector can match only
// in a set with N tabs or more, so with "tabs" given, the selectors with a larger N go (a rule
// that had no others goes with them). They cost every page's style computation, not only the
// pages with tabs: a selector that ends in ":nth-child(N)" is tried on every element (about 170
// of them on a lesson page of 9,000 elements took more than half of the time Chromium spent
// matching selectors while the page loaded). null keeps them all.
//
// The answer: {"css": [{"name": ..., "raw": ...}]}, in the request's order.
"use strict";

const path = require("path");

const purgecssDir = path.resolve(process.argv[2]);
const { PurgeCSS } = require(purgecssDir);
const postcss = require(require.resolve("postcss", { paths: [purgecssDir] }));

const WORD = /[A-Za-z0-9_-]+/g; // PurgeCSS's defaultExtractor

function extractor(notValues) {
  return (content) => {
    const words = content.match(WORD) || [];
    const values = words.filter((word) => !notValues.has(word));
    return {
      attributes: { names: words, values },
      classes: words,
      ids: words,
      tags: words,
      undetermined: values,
    };
  };
}

const NTH_CHILD = /:nth-child\((\d+)\)/g;

function tabBeyond(selector, tabs) {
  if (!selector.includes("tabbed")) return false;
  return [...selector.matchAll(NTH_CHILD)].some((match) => Number(match[1]) > tabs);
}

function tidy(css, tabs) {
  const root = postcss.parse(css);
  root.walkComments((comment) => {
    if (!comment.text.startsWith("!")) comment.remove();
  });
  if (tabs !== null && tabs !== undefined) {
    root.walkRules((rule) => {
      const kept = rule.selectors.filter((selector) => !tabBeyond(selector, tabs));
      if (kept.length === 0) rule.remove();
      else if (kept.length < rule.selectors.length) rule.selectors = kept;
    });
  }
  let emptied = true;
  while (emptied) {
    emptied = false;
    root.walkAtRules((rule) => {
      if (rule.nodes && rule.nodes.length === 0) {
        rule.remove();
        emptied = true;
      }
    });
  }
  return root.toString();
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const safelist = request.safelist || {};
  const notValues = new Set(request.not_attribute_values || []);
  const results = await new PurgeCSS().purge({
    content: [{ raw: request.content, extension: "txt" }],
    css: request.css.map((sheet) => ({ raw: sheet.raw, name: sheet.name })),
    extractors: [{ extensions: ["txt"], extractor: extractor(notValues) }],
    safelist: {
      standard: [
        ...(safelist.standard || []),
        ...(safelist.patterns || []).map((source) => new RegExp(source)),
      ],
    },
  });
  const answer = { css: results.map((r) => ({ name: r.file, raw: tidy(r.css, request.tabs) })) };
  process.stdout.write(JSON.stringify(answer));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
