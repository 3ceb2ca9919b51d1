import { TERRA_EVENT_TYPES } from '@terra-connections/terra';
import { eventTypeLabel, MetricsService } from './metrics.service';

describe('eventTypeLabel', () => {
  it('labels every Terra event type by its name, auth_cancelled included', () => {
    for (const type of TERRA_EVENT_TYPES) expect(eventTypeLabel(type)).toBe(type);
    expect(eventTypeLabel('auth_cancelled')).toBe('auth_cancelled');
  });

  it('folds types Terra may add later into `other`, and a missing type into `unknown`', () => {
    for (const type of ['lab_report.completed', 'hormone', 'constructor', 'AUTH', 42]) expect(eventTypeLabel(type)).toBe('other');
    for (const type of [undefined, null, '']) expect(eventTypeLabel(type)).toBe('unknown');
  });

  it('counts an auth_cancelled delivery under its own label', async () => {
    const metrics = new MetricsService();
    metrics.countWebhook('auth_cancelled', 'accepted');
    const text = await metrics.registry.metrics();
    expect(text).toContain('terra_webhooks_received_total{type="auth_cancelled",outcome="accepted"} 1');
    expect(text).not.toContain('type="other"');
  });
});
