import { planBuffers } from './targets';

describe('planBuffers', () => {
  it('adds the hit and read buffers of the plan\'s top node', () => {
    expect(planBuffers(['Limit  (cost=8.74..1724.49 rows=201)', '  Buffers: shared hit=962 read=60', '  ->  Nested Loop', '        Buffers: shared hit=5'])).toBe(1022);
    expect(planBuffers(['Result'])).toBe(0);
  });
});
