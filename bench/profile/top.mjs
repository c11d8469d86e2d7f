// node bench/profile/top.mjs FILE.cpuprofile [N] [FROM TO] — the N functions with the most self time
// between FROM and TO seconds (busy.mjs finds them). BY=package adds it up by package instead.
import { frameName, readProfile, window } from './cpuprofile.mjs';

const [file, n = '30', from, to] = process.argv.slice(2);
const { samples } = readProfile(file);
const inWindow = window(from, to);
const byPackage = process.env.BY === 'package';
const self = new Map();
let total = 0;
for (const { t, node, dt } of samples) {
  if (!inWindow(t)) continue;
  const cf = node.callFrame;
  let key = frameName(cf);
  if (byPackage) {
    const url = cf.url || '';
    const dep = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    key = dep ? dep[1] : url.includes('/packages/') ? url.replace(/.*\/packages\//, '').split('/').slice(0, 3).join('/') : url || cf.functionName || '(native)';
  }
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
}
console.log(`${(total / 1e6).toFixed(2)} s sampled`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
}
