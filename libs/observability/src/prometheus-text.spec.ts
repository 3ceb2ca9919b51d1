import { Registry, Counter } from 'prom-client';
import { metricSample } from './prometheus-text';

describe('metricSample', () => {
  it('finds a sample by name and exact labels', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'x_total', help: 'x', labelNames: ['a', 'b'], registers: [registry] });
    counter.inc({ a: '1', b: 'two,three' }, 2);
    counter.inc({ a: '1', b: 'other' });
    const text = await registry.metrics();
    expect(metricSample(text, 'x_total', { b: 'two,three', a: '1' })).toBe(2);
    expect(metricSample(text, 'x_total', { a: '1' })).toBeUndefined();
    expect(metricSample(text, 'y_total')).toBeUndefined();
  });
});
