import fc from 'fast-check';
import { deliverEventJobId, replayRoundOf } from './event-delivery.contract';

describe('event delivery job ids', () => {
  it("carry their replay round: a job reads back the round its id was made for", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), fc.nat(), (id, round) => {
        expect(replayRoundOf(deliverEventJobId(id.toString(), round))).toBe(round);
      }),
    );
  });

  it('reads round 0 from anything that is not a replay id', () => {
    for (const jobId of [undefined, '', 'dlv-12', 'dlv-12-r', 'dlv-x-r2', 'evt-12-r2', 'dlv-12-r2-x']) expect(replayRoundOf(jobId)).toBe(0);
  });
});
