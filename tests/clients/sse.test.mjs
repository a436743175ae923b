// The `eventsource` package following the change stream across a server restart: every
// event once, in order, none missed, none repeated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { Flagledger, freePort } from './flagledger.mjs';

const flags = '/api/v1/organizations/org-a/feature-flags';

test('follows the stream across a reconnect with no missed or repeated event', async () => {
  const port = await freePort();
  const server = new Flagledger();
  await server.start(port);
  const received = [];
  let opened = 0;
  let waiter;
  const source = new EventSource(`${server.url}/api/v1/organizations/org-a/events/stream?after=0`);
  source.addEventListener('open', () => { opened += 1; });
  for (const type of ['flag.created', 'flag.updated', 'flag.deleted']) {
    source.addEventListener(type, (message) => {
      const event = JSON.parse(message.data);
      received.push({ id: Number(message.lastEventId), type: message.type, sequence: event.sequence, key: event.flag_key });
      if (waiter && received.length >= waiter.count) waiter.resolve();
    });
  }
  const until = (count) => new Promise((resolve, reject) => {
    if (received.length >= count) return resolve();
    waiter = { count, resolve };
    setTimeout(() => reject(new Error(`only ${received.length} of ${count} events: ${JSON.stringify(received)}`)), 15000).unref();
  });

  try {
    assert.equal((await server.request('POST', flags, { flag_key: 'a' })).status, 201);  // 1
    assert.equal((await server.request('PUT', `${flags}/a`, { enabled: true })).status, 200);  // 2
    assert.equal((await server.request('POST', '/api/v1/organizations/org-b/feature-flags', { flag_key: 'x' })).status, 201);  // 3: org-b
    assert.equal((await server.request('POST', flags, { flag_key: 'b' })).status, 201);  // 4
    await until(3);

    await server.stop();  // the stream breaks; EventSource retries with Last-Event-ID: 4
    await server.start(port);
    assert.equal((await server.request('DELETE', `${flags}/a`)).status, 200);  // 5, maybe before the reconnect
    await until(4);
    assert.equal((await server.request('PUT', `${flags}/b`, { enabled: true })).status, 200);  // 6, after it
    await until(5);
    await new Promise((resolve) => setTimeout(resolve, 300));  // time for a duplicate to show

    assert.deepEqual(received.map((event) => event.id), [1, 2, 4, 5, 6]);
    assert.deepEqual(received.map((event) => event.sequence), [1, 2, 4, 5, 6], 'id is the sequence');
    assert.deepEqual(received.map((event) => event.type),
                     ['flag.created', 'flag.updated', 'flag.created', 'flag.deleted', 'flag.updated']);
    assert.ok(opened >= 2, 'it reconnected');
  } finally {
    source.close();
    await server.stop();
    server.remove();
  }
});
