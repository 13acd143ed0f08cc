import { buildOsImage } from './src/os-image/build.js';
import { progressPrinter } from './src/os-image/progress.js';
const t = Date.now();
const r = await buildOsImage({ packages: ['hello'] }, { cacheDir: '/tmp/mvimg-cache', onProgress: progressPrinter(process.stderr) });
console.log(JSON.stringify(r, null, 2), (Date.now() - t) / 1000);
