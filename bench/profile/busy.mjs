// node bench/profile/busy.mjs FILE.cpuprofile — busy (not idle) milliseconds in each second of the
// profile: where the measured phases lie, for the FROM/TO arguments of the other tools.
import { readProfile } from './cpuprofile.mjs';

const { samples } = readProfile(process.argv[2]);
const busy = [];
for (const { t, node, dt } of samples) {
  if (node.callFrame.functionName === '(idle)') continue;
  const s = Math.floor(t / 1e6);
  busy[s] = (busy[s] ?? 0) + dt / 1000;
}
console.log(Array.from(busy, (ms, s) => `${s}:${Math.round(ms ?? 0)}`).join(' '));
