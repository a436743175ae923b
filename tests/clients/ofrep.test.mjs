// The OpenFeature server SDK with the OFREP provider, evaluating flags on a running flagledger.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OpenFeature } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { Flagledger } from './flagledger.mjs';

const server = new Flagledger();
const flags = '/api/v1/organizations/org-a/feature-flags';

before(async () => {
  await server.start();
  const create = async (body) => assert.equal((await server.request('POST', flags, body)).status, 201);
  await create({ flag_key: 'on-for-all', enabled: true });
  await create({ flag_key: 'new-editor', enabled: true, rollout_condition: { min_version: '2.0.0' } });
  await create({ flag_key: 'launch', enabled: true, rollout_condition: { activation_date: '2099-01-01T00:00:00Z' } });
  await create({ flag_key: 'switched-off', enabled: false });
});
after(async () => {
  await OpenFeature.close();
  await server.stop();
  server.remove();
});

function clientFor(name, headers = []) {
  OpenFeature.setProvider(name, new OFREPProvider({ baseUrl: server.url, headers }));
  return OpenFeature.getClient(name);
}

test('on, off by version, off before the activation date, disabled, unknown', async () => {
  const client = clientFor('open');
  const context = { targetingKey: 'user-1', organization_id: 'org-a', version: '1.9.0' };

  const on = await client.getBooleanDetails('on-for-all', false, context);
  assert.equal(on.value, true);
  assert.equal(on.reason, 'STATIC');
  assert.equal(on.variant, 'on');

  const tooOld = await client.getBooleanDetails('new-editor', true, context);
  assert.equal(tooOld.value, false);
  assert.equal(tooOld.reason, 'TARGETING_MATCH');
  assert.equal(tooOld.flagMetadata.flagledger_reason, 'VERSION_BELOW_MINIMUM');

  const recent = await client.getBooleanDetails('new-editor', false, { ...context, version: '2.0.1' });
  assert.equal(recent.value, true);
  assert.equal(recent.reason, 'TARGETING_MATCH');

  const noVersion = await client.getBooleanDetails('new-editor', true, { targetingKey: 'u', organization_id: 'org-a' });
  assert.equal(noVersion.value, false);
  assert.equal(noVersion.reason, 'DEFAULT');
  assert.equal(noVersion.flagMetadata.flagledger_reason, 'VERSION_MISSING');

  const early = await client.getBooleanDetails('launch', true, context);
  assert.equal(early.value, false);
  assert.equal(early.flagMetadata.flagledger_reason, 'BEFORE_ACTIVATION');

  const disabled = await client.getBooleanDetails('switched-off', true, context);
  assert.equal(disabled.value, false);
  assert.equal(disabled.reason, 'DISABLED');

  const unknown = await client.getBooleanDetails('no-such-flag', true, context);
  assert.equal(unknown.value, true, 'the caller\'s default');
  assert.equal(unknown.reason, 'ERROR');
  assert.equal(unknown.errorCode, 'FLAG_NOT_FOUND');
});

test('with an API token the organization comes from the token', async () => {
  const secret = server.createToken('org-a', 'read', 'sdk');
  const client = clientFor('token', [['Authorization', `Bearer ${secret}`]]);
  const details = await client.getBooleanDetails('on-for-all', false, { targetingKey: 'user-2' });
  assert.equal(details.value, true);
  assert.equal(details.reason, 'STATIC');

  const anonymous = clientFor('anonymous');
  const refused = await anonymous.getBooleanDetails('on-for-all', false,
                                                    { targetingKey: 'u', organization_id: 'org-a' });
  assert.equal(refused.value, false, 'authentication is on now: the default');
  assert.equal(refused.reason, 'ERROR');
});
