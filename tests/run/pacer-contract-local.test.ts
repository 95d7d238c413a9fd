/** The pacer contract against the in-process pacer: one pacer, called as both members of the pair. */
import { createPacer } from '../../src/run/index.js';
import { FakeClock } from '../helpers/run-fake-clock.js';
import { pacerContract } from './pacer-contract.js';

pacerContract({
  name: 'in-process',
  available: async () => true,
  async open(spec, options) {
    const clock = new FakeClock();
    const pacer = createPacer(spec, { ...options, clock });
    return { a: pacer, b: pacer, clock, close: async () => undefined };
  },
});
