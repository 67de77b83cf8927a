/** The per-principal gate (src/limits.ts): a principal's requests take turns; a full queue is 429; others are not held up. */
import { describe, expect, it } from 'vitest';
import { FhirError } from '../../src/errors.ts';
import { Budget, Gate } from '../../src/limits.ts';

describe('Gate', () => {
  it('lets `size` in at once and the next in line when one leaves', async () => {
    const gate = new Gate(2, 10);
    const a = await gate.enter('k');
    const b = await gate.enter('k');
    let third = false;
    const c = gate.enter('k').then((leave) => {
      third = true;
      return leave;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    const other = await gate.enter('someone-else'); // not held up by k
    a();
    const leaveC = await c;
    expect(third).toBe(true);
    b();
    leaveC();
    other();
    a(); // leaving twice changes nothing
  });

  it('answers 429 when the queue is full', async () => {
    const gate = new Gate(1, 1);
    const first = await gate.enter('k');
    const queued = gate.enter('k');
    await expect(gate.enter('k')).rejects.toSatisfy((e: unknown) => e instanceof FhirError && e.status === 429);
    first();
    (await queued)();
  });
});

describe('Budget', () => {
  it('spends units in a one-minute window per key', () => {
    let now = 0;
    const b = new Budget(10, () => now);
    expect(b.trySpend('k', 7)).toBe(true);
    expect(b.trySpend('k', 4)).toBe(false);
    expect(b.trySpend('k', 3)).toBe(true);
    expect(b.trySpend('j', 10)).toBe(true);
    expect(() => b.spend('k', 1, 'Requests')).toThrow(FhirError);
    now = 60_001;
    expect(b.trySpend('k', 10)).toBe(true);
  });
});
