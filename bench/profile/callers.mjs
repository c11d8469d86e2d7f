// node bench/profile/callers.mjs FILE.cpuprofile FUNCTION [N] — the N call stacks that spent the
// most time in FUNCTION (its name as the profile gives it), innermost first.
import { frameName, readProfile } from './cpuprofile.mjs';

const [file, fn, n = '5'] = process.argv.slice(2);
const { samples, byId, parent } = readProfile(file);
const stacks = new Map();
for (const { node, dt } of samples) {
  const frames = [];
  let hit = false;
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const cf = byId.get(id).callFrame;
    if (cf.functionName === fn) hit = true;
    if (hit) frames.push(frameName(cf));
  }
  if (!hit) continue;
  const key = frames.slice(0, 14).join('\n    < ');
  stacks.set(key, (stacks.get(key) ?? 0) + dt);
}
for (const [stack, us] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${(us / 1000).toFixed(0)} ms  ${stack}\n`);
