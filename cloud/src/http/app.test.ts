import { describe, expect, it } from 'vitest';
import { RelayMetrics } from '../metrics.js';
import { createApp } from './app.js';

describe('HTTP app', () => {
  it('says so when a relay-only process has no portal configured', async () => {
    const app = createApp({ metricsText: async () => '' });
    const response = await app.request('/');
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('portal is not configured');
  });

  it('exposes the relay metrics for Prometheus', async () => {
    const metrics = new RelayMetrics();
    metrics.drops.inc({ reason: 'tag' });
    const app = createApp({ metricsText: () => metrics.text() });
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain('keydepot_relay_drops_total{reason="tag"} 1');
  });
});
