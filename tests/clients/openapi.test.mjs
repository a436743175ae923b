// The OpenAPI 3.1 document: a valid document, served by the server, and every response the
// API gives here (successes and errors) validates against the schema it documents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Flagledger } from './flagledger.mjs';

const server = new Flagledger();
let doc;
let ajv;
const checked = new Set();

before(async () => {
  await server.start();
  doc = (await server.request('GET', '/api/v1/openapi.json')).json;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi.json');
});
after(async () => {
  await server.stop();
  server.remove();
});

const pointer = (...parts) => parts.map((part) => String(part).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

// Sends a request and validates the answer against the document's schema for it.
async function call(method, path, body, headers = {}) {
  const answer = await server.request(method, path, body, headers);
  const bare = path.split('?')[0];
  const template = Object.keys(doc.paths).find((candidate) =>
    new RegExp(`^${candidate.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare));
  assert.ok(template, `no documented path for ${bare}`);
  const responses = doc.paths[template][method.toLowerCase()]?.responses;
  assert.ok(responses, `${method} ${template} is not documented`);
  const documented = responses[String(answer.status)];
  assert.ok(documented, `${method} ${template} answered ${answer.status}, which is not documented`);
  if (answer.status !== 304 && documented.content) {
    const type = (answer.headers.get('content-type') ?? '').split(';')[0];
    assert.ok(documented.content[type], `${method} ${template} ${answer.status}: ${type} is not documented`);
    if (/json/.test(type)) {
      const ref = `openapi.json#/${pointer('paths', template, method.toLowerCase(), 'responses', answer.status, 'content', type, 'schema')}`;
      const valid = ajv.validate({ $ref: ref }, answer.json);
      assert.ok(valid, `${method} ${path} ${answer.status}: ${ajv.errorsText()}\n${answer.text}`);
    }
  }
  checked.add(`${method} ${template} ${answer.status}`);
  return answer;
}

test('the document is valid OpenAPI 3.1 and the served copy is the repository\'s', async () => {
  const validator = new Validator();
  const result = await validator.validate(doc);
  assert.ok(result.valid, JSON.stringify(result.errors, null, 1));
  assert.equal(validator.version, '3.1');
  const inRepository = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url)));
  assert.deepEqual(doc, inRepository);
});

test('every response of a walk through the API validates against its schema', async () => {
  const base = '/api/v1/organizations/org-a/feature-flags';
  await call('GET', '/healthz');
  await call('GET', '/readyz');
  await call('GET', base);
  await call('POST', base, { flag_key: 'beta', enabled: false, rollout_condition: { min_version: '2.0.0', activation_date: null } });
  await call('POST', base, { flag_key: 'beta' });  // 409
  await call('POST', base, { flag_key: 'gamma', enabeld: true });  // 422
  await call('POST', base, 'not an object');  // 400
  await call('POST', base, undefined, { 'content-type': 'text/plain' });  // 415
  await call('GET', `${base}/beta`);
  await call('GET', `${base}/beta`, undefined, { 'if-none-match': '"1"' });  // 304
  await call('GET', `${base}/nope`);  // 404
  await call('GET', `${base}?limit=0`);  // 400
  await call('PUT', `${base}/beta`, { enabled: true });
  await call('PUT', `${base}/beta`, { enabled: false }, { 'if-match': '"1"' });  // 412
  await call('PATCH', `${base}/beta/rollout`, { activation_date: '2026-01-01T00:00:00Z' });
  await call('GET', `${base}/beta?as_of_event=1`);
  await call('GET', `${base}/beta/history`);
  await call('GET', `${base}/beta/evaluation?version=2.1.0`);
  await call('GET', `${base}/beta/evaluation?version=1.0.0&at=2026-06-01T00:00:00Z`);
  await call('GET', `${base}/beta/evaluation?version=banana`);  // 400
  await call('GET', '/api/v1/organizations/org-a/events?limit=2');
  await call('GET', '/api/v1/events');
  await call('POST', '/ofrep/v1/evaluate/flags/beta', { context: { organization_id: 'org-a', version: '3.0.0' } });
  await call('POST', '/ofrep/v1/evaluate/flags/nope', { context: { organization_id: 'org-a' } });  // 404
  await call('POST', '/ofrep/v1/evaluate/flags/beta', { context: 'x' });  // 400
  const bulk = await call('POST', '/ofrep/v1/evaluate/flags', { context: { organization_id: 'org-a', version: '1.0.0' } });
  await call('POST', '/ofrep/v1/evaluate/flags', { context: { organization_id: 'org-a', version: '1.0.0' } },
             { 'if-none-match': bulk.headers.get('etag') });  // 304
  await call('POST', '/ofrep/v1/evaluate/flags', { context: {} });  // 400
  const oversized = { context: { organization_id: 'org-a', padding: 'x'.repeat(70 * 1024) } };
  await call('POST', '/ofrep/v1/evaluate/flags/beta', oversized);  // 413
  await call('POST', '/ofrep/v1/evaluate/flags', oversized);  // 413
  await call('DELETE', '/api/v1/organizations/org-a/feature-flags/beta', oversized);  // 413, any method
  await call('POST', '/ofrep/v1/evaluate/flags/beta?as_of=2026-01-01T00:00:00Z', { context: { organization_id: 'org-a' } });  // 400
  await call('GET', '/metrics');
  await call('POST', `${base}/beta/revert`, { to_event: 1 });
  await call('POST', `${base}/beta/revert`, { to_event: 1 });  // unchanged
  await call('POST', `${base}/beta/revert`, { to_event: 1 }, { 'if-match': '"1"' });  // 412
  await call('POST', `${base}/beta/revert`, { to_event: 999999 });  // 422
  await call('POST', `${base}/nope/revert`, { as_of: '2026-01-01' });  // 404
  await call('PUT', `${base}/beta`, { enabled: true });
  const orgRestore = '/api/v1/organizations/org-a/restore';
  await call('POST', orgRestore, { to_event: 1, dry_run: true });
  await call('POST', orgRestore, { to_event: 1 }, { 'if-match': '"1"' });  // 412
  await call('POST', orgRestore, { to_event: 1, dry_run: 'yes' });  // 422
  await call('POST', orgRestore, 'not an object');  // 400
  await call('POST', orgRestore, { to_event: 1 }, { 'flagledger-change-reason': 'undo' });
  await call('DELETE', `${base}/beta`);
  await call('PUT', `${base}/beta`, { enabled: true });  // 404
  await call('POST', `${base}/beta/revert`, { to_event: 1 });  // re-created
  await call('POST', `${base}/beta/revert`, { to_event: 0 });  // deleted again
  await call('GET', '/api/v1/organizations/org-a/events?type=flag.reverted');

  // With tokens: 401, 403, and token events in the whole log.
  const reader = server.createToken('org-a', 'read', 'reader');
  const operator = server.createToken('*', 'admin', 'ops');
  await call('GET', base);  // 401
  await call('POST', base, { flag_key: 'x' }, { authorization: `Bearer ${reader}` });  // 403
  await call('GET', '/api/v1/events', undefined, { authorization: `Bearer ${operator}` });
  const auditor = server.createToken('org-a', 'auditor', 'auditor');
  await call('GET', '/api/v1/organizations/org-a/token-events', undefined, { authorization: `Bearer ${auditor}` });
  await call('GET', '/api/v1/organizations/org-a/token-events', undefined, { authorization: `Bearer ${reader}` });  // 403
  await call('PUT', `${base}/beta`, { enabled: true }, { authorization: `Bearer ${auditor}` });  // 403
  assert.ok(checked.size >= 30, [...checked].join('\n'));
});
