// Copies the browser builds of the npm packages into the Django static folder, so the
// application serves them itself (no CDN: Jalon runs on machines without internet).
import { copyFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const vendor = join(root, "src", "jalon", "web", "static", "vendor");
const files = {
  "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
  "alpinejs/dist/cdn.min.js": "alpinejs/alpine.min.js",
  "frappe-gantt/dist/frappe-gantt.umd.js": "frappe-gantt/frappe-gantt.umd.js",
  "frappe-gantt/dist/frappe-gantt.css": "frappe-gantt/frappe-gantt.css",
  "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
};
let missing = 0;
for (const [from, to] of Object.entries(files)) {
  const source = join(root, "node_modules", from);
  if (!existsSync(source)) {
    console.error(`copy-vendor: ${from} not found in node_modules`);
    missing += 1;
    continue;
  }
  const target = join(vendor, to);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
}
if (missing) process.exit(1);
console.log(`copy-vendor: ${Object.keys(files).length} files in ${vendor}`);
