// node bench/profile/inclusive.mjs FILE.cpuprofile [N] [FROM TO] [FILTER] — the N functions of
// Switchboard's own code (packages/) with the most time spent in them and what they called, as a
// share of the busy (not idle) time between FROM and TO seconds. ALL=1 counts every function.
import { frameName, readProfile, window } from './cpuprofile.mjs';

const [file, n = '40', from, to, filter] = process.argv.slice(2);
const { samples, byId, parent } = readProfile(file);
const inWindow = window(from, to);
const inclusive = new Map();
let busy = 0;
for (const { t, node, dt } of samples) {
  if (!inWindow(t) || node.callFrame.functionName === '(idle)') continue;
  busy += dt;
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const cf = byId.get(id).callFrame;
    if (!process.env.ALL && !(cf.url || '').includes('/packages/')) continue;
    const key = frameName(cf);
    if (seen.has(key)) continue; // recursion counts once
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
  }
}
console.log(`${(busy / 1e6).toFixed(2)} s busy`);
for (const [key, us] of [...inclusive].filter(([k]) => !filter || k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
}
