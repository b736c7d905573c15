// A fresh process's first lookup in each of the judge cache's 256 buckets (bench/cache.mjs):
// prints a JSON line with the milliseconds of each lookup and how many answers came back. At exit the cache is closed, which writes the indexes: the parent removes
// them before each measurement without.
import { JudgeCache } from '../dist/models/cache.js';

const [dir, keysJson] = process.argv.slice(2);
const keys = JSON.parse(keysJson);
const cache = new JudgeCache(dir);
const ms = [];
let served = 0;
for (const key of keys) {
  const t0 = performance.now();
  const value = await cache.get(key);
  ms.push(performance.now() - t0);
  if (value?.output?.key === key) served += 1;
}
process.stdout.write(`${JSON.stringify({ ms, served })}\n`);
