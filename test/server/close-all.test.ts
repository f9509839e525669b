import { describe, expect, it } from 'vitest';
import { closeAll } from '../../server/close-all.js';

describe('closing resources in order', () => {
  it('runs the steps after a failed one, then throws that failure', async () => {
    const ran: string[] = [];
    const tilesFailed = new Error('tile cache not saved');

    const closing = closeAll([
      async () => void ran.push('imports'),
      async () => {
        ran.push('tiles');
        throw tilesFailed;
      },
      async () => void ran.push('database'),
      () => void ran.push('lock'),
    ]);

    await expect(closing).rejects.toBe(tilesFailed);
    expect(ran).toEqual(['imports', 'tiles', 'database', 'lock']);
  });

  it('throws every failure together when several steps fail', async () => {
    const first = new Error('imports still running');
    const second = new Error('socket server not stopped');

    const closing = closeAll([
      async () => {
        throw first;
      },
      () => {
        throw second;
      },
    ]);

    const error = await closing.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toEqual([first, second]);
  });

  it('resolves when every step closes', async () => {
    await expect(closeAll([async () => 1, () => undefined])).resolves.toBeUndefined();
  });
});
