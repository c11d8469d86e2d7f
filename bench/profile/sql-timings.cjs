// NODE_OPTIONS="--require $PWD/bench/profile/sql-timings.cjs" BENCH_ONLY=posts npm run bench
// Counts and times every better-sqlite3 statement each process runs (the bench, its seed, the
// server under test) and writes /tmp/sql-timings-<pid>.txt at exit, dearest first: count, total µs,
// µs each, the SQL. Statements run by triggers are inside their statement's time. Timing adds about
// a microsecond a statement: compare runs that both have it.
const Module = require('node:module');
const { writeFileSync } = require('node:fs');

const timings = new Map();
const load = Module._load;
let patched = false;
Module._load = function (request) {
  const exported = load.apply(this, arguments);
  if (!patched && /better-sqlite3/.test(request) && typeof exported === 'function') {
    patched = true;
    const prepare = exported.prototype.prepare;
    exported.prototype.prepare = function (sql) {
      const statement = prepare.apply(this, arguments);
      const key = sql.replace(/\s+/g, ' ').slice(0, 200);
      for (const method of ['run', 'all', 'get', 'iterate']) {
        const original = statement[method];
        statement[method] = function () {
          const start = process.hrtime.bigint();
          try {
            return original.apply(this, arguments);
          } finally {
            const t = timings.get(key) ?? { n: 0, us: 0 };
            t.n++;
            t.us += Number(process.hrtime.bigint() - start) / 1000;
            timings.set(key, t);
          }
        };
      }
      return statement;
    };
  }
  return exported;
};

function write() {
  if (timings.size === 0) return;
  const lines = [...timings].sort((a, b) => b[1].us - a[1].us).map(([sql, t]) => `${String(t.n).padStart(8)} ${String(Math.round(t.us)).padStart(10)} µs ${(t.us / t.n).toFixed(1).padStart(7)}  ${sql}`);
  writeFileSync(`/tmp/sql-timings-${process.pid}.txt`, lines.join('\n') + '\n');
}
process.on('exit', write);
// a process ended by SIGKILL (a bench phase's server stopped hard) still leaves its figures
setInterval(write, 1000).unref();
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    write();
    process.exit(0);
  });
}
