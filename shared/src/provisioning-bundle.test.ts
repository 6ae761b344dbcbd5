import { describe, expect, it } from 'vitest';
import { BUNDLE_FORMAT, BundleError, parseProvisioningBundle } from './provisioning-bundle.js';

const valid = {
  format: BUNDLE_FORMAT,
  depotId: 7,
  name: 'Werkstatt Hof',
  relay: { host: 'relay.example.com', port: 47900, publicKey: 'ab'.repeat(32) },
  depotSecretKey: '01'.repeat(32),
  offlineKey: '02'.repeat(32),
  offlineKeyId: 1,
  compartments: 6,
  timeZone: 'Europe/Berlin',
  language: 'de',
  createdAt: '2026-11-28T10:00:00Z',
};

describe('parseProvisioningBundle', () => {
  it('accepts a complete bundle and fills time zone and language defaults', () => {
    expect(parseProvisioningBundle(valid)).toEqual(valid);
    const { timeZone: _t, language: _l, ...bare } = valid;
    expect(parseProvisioningBundle(bare)).toMatchObject({ timeZone: 'Europe/Berlin', language: 'de' });
  });

  it.each([
    ['format', { ...valid, format: 'other/1' }, /format/],
    ['depot id', { ...valid, depotId: 0 }, /depotId/],
    ['relay port', { ...valid, relay: { ...valid.relay, port: 70000 } }, /relay\.port/],
    ['relay key', { ...valid, relay: { ...valid.relay, publicKey: 'XY' } }, /relay\.publicKey/],
    ['secret key', { ...valid, depotSecretKey: 'AB'.repeat(32) }, /depotSecretKey/],
    ['compartments', { ...valid, compartments: 65 }, /compartments/],
    ['language', { ...valid, language: 'fr' }, /language/],
    ['not an object', [], /bundle/],
  ])('names the bad field: %s', (_name, bundle, message) => {
    expect(() => parseProvisioningBundle(bundle)).toThrow(BundleError);
    expect(() => parseProvisioningBundle(bundle)).toThrow(message);
  });
});
