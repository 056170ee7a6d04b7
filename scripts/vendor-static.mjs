// Copies the front-end libraries installed by `npm ci` into static/vendor/ (git-ignored),
// so the portal serves them from its own static files: no CDN, nothing third-party committed.
import { cpSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "vendor");

const files = {
  // Source maps are copied too: the files name them, and the hashed static storage
  // of production refuses a reference to a missing file.
  leaflet: [
    "leaflet/dist/leaflet.js", "leaflet/dist/leaflet.js.map", "leaflet/dist/leaflet.css",
    "leaflet/dist/images", "leaflet/LICENSE",
  ],
  htmx: ["htmx.org/dist/htmx.min.js", "htmx.org/LICENSE"],
  chartjs: ["chart.js/dist/chart.umd.min.js", "chart.js/dist/chart.umd.min.js.map", "chart.js/LICENSE.md"],
  "swagger-ui": [
    "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-dist/swagger-ui.css.map",
    "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui-standalone-preset.js",
    "swagger-ui-dist/LICENSE",
  ],
};

rmSync(out, { recursive: true, force: true });
for (const [name, paths] of Object.entries(files)) {
  const dest = join(out, name);
  mkdirSync(dest, { recursive: true });
  for (const rel of paths) {
    const src = join(root, "node_modules", rel);
    if (!existsSync(src)) {
      console.error(`vendor-static: ${rel} is missing; run 'npm ci' first.`);
      process.exit(1);
    }
    cpSync(src, join(dest, rel.split("/").pop()), { recursive: true });
  }
}
console.log(`vendor-static: copied ${Object.keys(files).length} libraries to static/vendor/`);
