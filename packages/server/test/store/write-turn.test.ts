/**
 * The write turn (domain/ports/write-turn.ts): processes sharing a SQLite file (WORKERS > 1) take
 * turns to write, handed out in the order asked, so that one waiting for another's write waits
 * asynchronously — its event loop free — instead of inside SQLite's busy handler. Here two
 * databases on one file in one process stand for two workers: without the turn, the second's write
 * would block this very event loop while the first's transaction waits on it, and fail after
 * busy_timeout with SQLITE_BUSY. The primary's side (realtime/ipc-relay.ts) is checked with two
 * stand-in workers on its channel, and a worker's side of that channel (realtime/ipc.ts) with a
 * stand-in channel; test/process/workers.test.ts runs real ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import type { Worker } from 'node:cluster';
import { transactionRunner } from '../../src/store/transaction-scope.js';
import { durabilityOf } from '../../src/store/wal-durability.js';
import { TurnQueue } from '../../src/domain/turn-queue.js';
import { IpcRelay } from '../../src/realtime/ipc-relay.js';
import { WorkerLink } from '../../src/realtime/ipc.js';
import type { Notice } from '../../src/domain/events.js';
import { holdWriteLock, twoWorkersOnOneFile } from '../support/shared-sqlite.js';

test('turns are held one at a time, in the order asked; a holder that is gone passes its turn on', () => {
  const q = new TurnQueue<string>();
  const got: string[] = [];
  q.ask('a', () => got.push('a'));
  q.ask('b', () => got.push('b'));
  q.ask('c', () => got.push('c'));
  assert.deepEqual(got, ['a']);
  q.done('b'); // not the holder: nothing changes
  assert.deepEqual(got, ['a']);
  q.forget('b'); // b went away while waiting
  q.done('a');
  assert.deepEqual(got, ['a', 'c']);
  q.ask('a', () => got.push('a'));
  q.forget('c'); // c died holding the turn
  assert.deepEqual(got, ['a', 'c', 'a']);
});

test('two connections to one SQLite file write in turns: the one that waits keeps its event loop', async (t) => {
  const [first, second] = await twoWorkersOnOneFile(t);
  await sql`create table t (who text not null)`.execute(first.db);

  const { release, committed: firstTx } = await holdWriteLock(
    first.db,
    (trx) => sql`insert into t values ('first')`.execute(trx),
    (trx) => sql`insert into t values ('first again')`.execute(trx),
  );

  const order: string[] = [];
  const alone = sql`insert into t values ('second alone')`.execute(second.db).then(() => order.push('second alone'));
  const inTx = second.db.transaction().execute(async (trx) => {
    await sql`insert into t values ('second in a transaction')`.execute(trx);
  }).then(() => order.push('second in a transaction'));
  // The event loop runs on while the second waits: a timer fires, a read is answered (WAL readers do not wait).
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(order, [], 'the second has not written while the first holds the turn');
  release();
  await firstTx;
  await Promise.all([alone, inTx]);
  assert.deepEqual(order, ['second alone', 'second in a transaction'], 'in the order they asked');
  const rows = await sql<{ who: string }>`select who from t order by rowid`.execute(second.db);
  assert.deepEqual(rows.rows.map((r) => r.who), ['first', 'first again', 'second alone', 'second in a transaction']);

  // A transaction that fails gives the turn back too.
  await assert.rejects(second.db.transaction().execute(async (trx) => {
    await sql`insert into t values ('taken back')`.execute(trx);
    throw new Error('no');
  }));
  await sql`insert into t values ('after the rollback')`.execute(first.db);
  const count = await sql<{ n: number }>`select count(*) as n from t`.execute(first.db);
  assert.equal(count.rows[0]!.n, 5);
});

/** A stand-in for a forked worker on the primary's side of the channel. */
class StandInWorker extends EventEmitter {
  readonly received: unknown[] = [];
  connected = true;
  isConnected(): boolean {
    return this.connected;
  }
  send(message: unknown, _handle?: unknown, cb?: (err: Error | null) => void): boolean {
    this.received.push(message);
    cb?.(null);
    return true;
  }
  ask(seq: number): void {
    this.emit('message', { sb: 'req', seq, req: { kind: 'write-turn' } });
  }
  done(): void {
    this.emit('message', { sb: 'write-turn-done' });
  }
  granted(): number[] {
    return this.received.filter((m): m is { sb: 'res'; seq: number } => (m as { sb?: string }).sb === 'res').map((m) => m.seq);
  }
}

test('the primary hands the write turn to one worker at a time, and takes it back from one that died', async () => {
  const relay = new IpcRelay((err) => assert.fail(err));
  const [a, b, c] = [new StandInWorker(), new StandInWorker(), new StandInWorker()];
  for (const w of [a, b, c]) relay.attach(w as unknown as Worker);
  const settle = () => new Promise((r) => setImmediate(r));
  a.ask(1);
  b.ask(1);
  c.ask(1);
  await settle();
  assert.deepEqual([a.granted(), b.granted(), c.granted()], [[1], [], []]);
  a.done();
  await settle();
  assert.deepEqual([a.granted(), b.granted(), c.granted()], [[1], [1], []]);
  // b dies holding the turn: c gets it.
  b.connected = false;
  relay.detach(b as unknown as Worker);
  await settle();
  assert.deepEqual(c.granted(), [1]);
  a.ask(2);
  await settle();
  assert.deepEqual(a.granted(), [1], 'a waits while c holds the turn');
  c.done();
  await settle();
  assert.deepEqual(a.granted(), [1, 2]);

  // c's channel closed and it exited; a request of its still read after that never holds the turn.
  c.connected = false;
  c.emit('disconnect');
  relay.detach(c as unknown as Worker);
  c.ask(2);
  const d = new StandInWorker();
  relay.attach(d as unknown as Worker);
  d.ask(1);
  await settle();
  assert.deepEqual(d.granted(), [], 'a still holds it');
  a.done();
  await settle();
  assert.deepEqual(d.granted(), [1], 'from a to d: the late request of c was dropped');

  // A worker whose turn comes while its channel is closing passes it on at once.
  const e = new StandInWorker();
  relay.attach(e as unknown as Worker);
  e.ask(1);
  a.ask(3);
  await settle();
  e.connected = false;
  d.done();
  await settle();
  assert.deepEqual(a.granted(), [1, 2, 3], 'e could not take it: a has it');
});

test('the group commit reserves its turn before it takes its batch: what arrives meanwhile joins it, reads go on', async (t) => {
  const [first, second] = await twoWorkersOnOneFile(t);
  await sql`create table t (who text not null)`.execute(first.db);
  const runner = transactionRunner(second.db, 'sqlite');
  const commits = () => durabilityOf(second.db)!.lastWritten;

  const { release, committed: firstTx } = await holdWriteLock(first.db, (trx) => sql`insert into t values ('first')`.execute(trx));

  const before = commits();
  const units = [runner.run((trx) => sql`insert into t values ('one')`.execute(trx))];
  await new Promise((r) => setTimeout(r, 10)); // the batch now waits for its turn
  units.push(runner.run((trx) => sql`insert into t values ('two')`.execute(trx)), runner.run((trx) => sql`insert into t values ('three')`.execute(trx)));
  // The connection is not held while the batch waits: a read is answered at once.
  const read = await sql<{ n: number }>`select count(*) as n from t`.execute(second.db);
  assert.equal(read.rows[0]!.n, 0, 'the first has not committed yet');
  // A write that commits on its own takes the connection while the reservation is on its way: it
  // takes the reservation when it comes (waiting behind it would wait for the batch, which waits for the connection).
  const alone = sql`insert into t values ('alone')`.execute(second.db);
  release();
  await firstTx;
  await Promise.all([...units, alone]);
  assert.equal(commits() - before, 2, 'the write alone, then the three units together, in one transaction');
  const rows = await sql<{ who: string }>`select who from t order by rowid`.execute(second.db);
  assert.deepEqual(rows.rows.map((r) => r.who), ['first', 'alone', 'one', 'two', 'three']);
});

test('a worker sends its notices to the primary once per turn of the event loop, before anything it says next', async () => {
  const sent: Array<{ sb: string; notices?: unknown[]; req?: { kind: string } }> = [];
  const channel = Object.assign(new EventEmitter(), {
    connected: true,
    send(message: unknown, _h?: unknown, _o?: unknown, cb?: (err: Error | null) => void): boolean {
      sent.push(message as (typeof sent)[number]);
      cb?.(null);
      return true;
    },
  });
  const link = new WorkerLink(channel);
  const notice = (n: number) => ({ type: 'typing', n }) as unknown as Notice;
  link.publish([notice(1)]);
  link.publish([notice(2), notice(3)]);
  assert.equal(sent.length, 0, 'not yet: the turn goes on');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sent.map((m) => [m.sb, m.notices?.length]), [['notices', 3]], 'one message for the turn');

  link.publish([notice(4)]);
  void link.request({ kind: 'write-turn' });
  link.writeTurnDone();
  assert.deepEqual(sent.slice(1).map((m) => m.req?.kind ?? m.sb), ['notices', 'write-turn', 'write-turn-done'], 'what was published first goes first');
  await new Promise((r) => setImmediate(r));
  assert.equal(sent.length, 4, 'nothing left to send');
});
