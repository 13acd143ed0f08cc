import { describe, expect, it } from 'vitest';
import { INIT_MARKERS, renderInitScript } from '../../src/index.js';

describe('renderInitScript', () => {
  const script = renderInitScript({
    release: '6.1.0-test',
    modulePaths: ['kernel/net/9p/9pnet.ko', 'kernel/fs/9p/9p.ko'],
    bodyPath: '/etc/mv-image/init.sh',
    hostname: "it's-a-guest",
    after: 'poweroff',
  });

  it('loads modules in the given order, from the kernel release folder', () => {
    const first = script.indexOf("insmod '/lib/modules/6.1.0-test/kernel/net/9p/9pnet.ko'");
    const second = script.indexOf("insmod '/lib/modules/6.1.0-test/kernel/fs/9p/9p.ko'");
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
  });

  it('prints the markers tools wait for, in order', () => {
    const positions = [INIT_MARKERS.started, INIT_MARKERS.modules, INIT_MARKERS.ready].map(
      (marker) => script.indexOf(marker),
    );
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('runs the body and reports its status before powering off', () => {
    expect(script).toContain("/bin/sh '/etc/mv-image/init.sh'");
    expect(script).toContain(`${INIT_MARKERS.bodyExited} $status`);
    expect(script.trimEnd().endsWith('poweroff -f')).toBe(true);
  });

  it('quotes values for the shell', () => {
    expect(script).toContain(`hostname 'it'\\''s-a-guest'`);
  });

  it('runs acpid with a power-button handler that runs the command, then powers off', () => {
    const withButton = renderInitScript({
      release: 'r',
      modulePaths: [],
      after: 'hang',
      powerButton: { command: "pkill -TERM -f 'my agent'" },
    });
    const handler = [
      '#!/bin/sh',
      `echo "${INIT_MARKERS.powerButton}" > /dev/console`,
      "pkill -TERM -f 'my agent'",
      'sync',
      'poweroff -f',
    ].join('\n');
    expect(withButton).toContain(
      `cat > /etc/acpi/PWRF/00000080 <<'MV_IMAGE_POWER_BUTTON'\n${handler}\nMV_IMAGE_POWER_BUTTON\n`,
    );
    expect(withButton.indexOf('acpid -f')).toBeLessThan(withButton.indexOf(INIT_MARKERS.ready));
    expect(script).not.toContain('acpid');
  });

  it('starts a shell on the console when asked', () => {
    const shell = renderInitScript({ release: 'r', modulePaths: [], after: 'shell' });
    expect(shell).toContain('setsid cttyhack /bin/sh');
    expect(shell).not.toContain('init.sh');
  });
});
