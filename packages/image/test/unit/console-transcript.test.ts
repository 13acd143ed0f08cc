import { describe, expect, it } from 'vitest';
import { ConsoleTranscript, GuestExitedError, GuestTimeoutError } from '../../src/index.js';

describe('ConsoleTranscript', () => {
  it('resolves a wait when the pattern arrives split across chunks', async () => {
    const transcript = new ConsoleTranscript();
    const waiting = transcript.waitFor(/node says (v\d+\.\d+\.\d+)\r?\n/);
    for (const chunk of ['boot\nnode sa', 'ys v20.', '20.2', '\r\n']) transcript.append(chunk);
    const { match, end } = await waiting;
    expect(match[1]).toBe('v20.20.2');
    expect(end).toBe(transcript.offset);
  });

  it('matches a string literally', async () => {
    const transcript = new ConsoleTranscript();
    transcript.append('cost: $5 (approx.)\n');
    await expect(transcript.waitFor('$5 (approx.)')).resolves.toMatchObject({
      match: expect.arrayContaining(['$5 (approx.)']),
    });
  });

  it('only matches after `from`', async () => {
    const transcript = new ConsoleTranscript();
    transcript.append('# ');
    const from = transcript.offset;
    const waiting = transcript.waitFor('# ', { from, timeout: 1000 });
    transcript.append('echo hi\nhi\n# ');
    expect((await waiting).end).toBe(transcript.offset);
  });

  it('keeps offsets valid when old output is dropped', async () => {
    const transcript = new ConsoleTranscript(10);
    transcript.append('0123456789');
    transcript.append('abcdef');
    expect(transcript.offset).toBe(16);
    // Past the limit it drops down to three quarters of it (7 of 10 characters).
    expect(transcript.text()).toBe('9abcdef');
    expect(transcript.text(14)).toBe('ef');
  });

  it('times out with the end of the output in the error', async () => {
    const transcript = new ConsoleTranscript();
    transcript.append('Kernel panic - not syncing\n');
    const error = await transcript.waitFor('login:', { timeout: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuestTimeoutError);
    expect((error as GuestTimeoutError).output).toContain('Kernel panic');
  });

  it('rejects pending and later waits once closed', async () => {
    const transcript = new ConsoleTranscript();
    const waiting = transcript.waitFor('never');
    transcript.close(new GuestExitedError('QEMU exited with status 1', 1, null, ''));
    await expect(waiting).rejects.toBeInstanceOf(GuestExitedError);
    await expect(transcript.waitFor('never')).rejects.toBeInstanceOf(GuestExitedError);
  });

  it('stops waiting when aborted', async () => {
    const transcript = new ConsoleTranscript();
    const controller = new AbortController();
    const waiting = transcript.waitFor('never', { signal: controller.signal });
    controller.abort(new Error('test gave up'));
    await expect(waiting).rejects.toThrow('test gave up');
  });
});
