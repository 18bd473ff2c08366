// Build-time KaTeX: reads one JSON array of {tex, display} per line on stdin and writes one
// JSON array of {html} or {error} per line on stdout. One process serves a whole build.
"use strict";
const katex = require("katex");
const readline = require("node:readline");

const options = (display) => ({
  displayMode: display,
  output: "htmlAndMathml",
  throwOnError: true,
  // Anything LaTeX would not accept is an error, except our own \htmlData number tags.
  strict: (code) => (code === "htmlExtension" ? "ignore" : "error"),
  trust: (ctx) => ctx.command === "\\htmlData",
});

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  const items = JSON.parse(line);
  const out = items.map(({ tex, display }) => {
    try {
      return { html: katex.renderToString(tex, options(Boolean(display))) };
    } catch (err) {
      return { error: String(err && err.message ? err.message : err) };
    }
  });
  process.stdout.write(JSON.stringify(out) + "\n");
});
