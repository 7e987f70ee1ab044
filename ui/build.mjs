// Builds ../internal/render/assets/pictures.js from src/ and the pinned
// packages of package-lock.json: one minified IIFE with no eval, no
// dynamic import and no fetch, prefixed by the licences of the bundled
// packages. The output is byte for byte the same on every machine for the
// same lock file (CI rebuilds it and fails on a difference).
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
const out = new URL("../internal/render/assets/pictures.js", import.meta.url);

const result = await build({
  absWorkingDir: fileURLToPath(new URL(".", import.meta.url)),
  entryPoints: ["src/main.js"],
  bundle: true,
  format: "iife",
  minify: true,
  target: "es2020",
  legalComments: "none",
  charset: "utf8",
  write: false,
  metafile: true,
  logLevel: "warning",
});

// Licences of every package whose code is in the bundle.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) {
    packages.add(m[1]);
  }
}
let banner = "/*! oktascope pictures (ui/ in the oktascope repository), built with esbuild.\n" +
  " * Bundled packages and their licences follow. Land outlines: Natural Earth (public domain), via world-atlas.\n";
for (const name of [...packages].sort()) {
  const dir = new URL(`node_modules/${name}/`, import.meta.url);
  const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8"));
  const licence = readFileSync(new URL("LICENSE", dir), "utf8").trim().replace(/\*\//g, "* /");
  banner += ` *\n * ${name} ${pkg.version} (${pkg.license})\n` + licence.split("\n").map((l) => (" * " + l).trimEnd()).join("\n") + "\n";
}
banner += " */\n";
const code = result.outputFiles[0].text;
for (const bad of ["eval(", "new Function", "</script", "<!--", "document.write", "insertAdjacentHTML"]) {
  if (code.includes(bad)) {
    throw new Error(`the bundle holds ${JSON.stringify(bad)}`);
  }
}
writeFileSync(out, banner + code);
console.log(`wrote ${out.pathname}: ${(banner.length + code.length).toLocaleString("en")} bytes, packages: ${[...packages].sort().join(", ")}`);
