// Apollo's telemetry stays off whatever the environment says: @apollo/gateway reads APOLLO_TELEMETRY_DISABLED once,
// in its constructor, so the value our code sets just before it must win over an operator's `false` or none.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APOLLO_TELEMETRY_VARIABLE, disableApolloTelemetry, offlinePlugins } from '../../../lib/server/offline.js';

describe('offline', () => {
  it('sets APOLLO_TELEMETRY_DISABLED to true, over false, 0 or nothing', () => {
    for (const given of [undefined, 'false', '0', 'true']) {
      const env: NodeJS.ProcessEnv = given === undefined ? {} : { [APOLLO_TELEMETRY_VARIABLE]: given };
      disableApolloTelemetry(env);
      assert.equal(env[APOLLO_TELEMETRY_VARIABLE], 'true');
    }
  });

  it('gives every server the three disabling plugins, fresh each time', () => {
    const [first, second] = [offlinePlugins(), offlinePlugins()];
    assert.equal(first.length, 3);
    assert.notEqual(first[0], second[0]);
  });
});
