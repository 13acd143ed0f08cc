import { beforeAll, describe, expect, it } from 'vitest';
import { type DemoReport, runAgentDemo } from '../../src/host/demo.js';

// One real guest for the whole file: formula -> QEMU argv, image initramfs with node and the
// agent, QMP, serial console, p9 share over TCP, agent over virtio-serial + TLS, shutdown.
let report: DemoReport;
const consoleLines: string[] = [];

beforeAll(async () => {
  report = await runAgentDemo({
    onConsoleLine: (line) => consoleLines.push(line),
    bootTimeout: 170_000,
  });
}, 240_000);

describe('the agent in a real guest', () => {
  it('boots from the compiled formula and announces itself', () => {
    expect(
      consoleLines.some((l) =>
        l.includes('mv-agent: serving /dev/virtio-ports/org.multiverse-os.agent.0'),
      ),
    ).toBe(true);
    expect(report.events.find((e) => e.name === 'boot')?.data).toMatchObject({
      hostname: 'agent-demo',
    });
  });

  it('refuses a host with another key, and a path outside the formula', () => {
    expect(report.strangerRefused).toMatch(/no answer|closed|TLS|certificate/i);
    expect(report.strangerRefused).not.toBe('not refused');
    expect(report.refusedCall).toMatch(/PERMISSION/);
  });

  it('reports the guest profile and the clock offset', () => {
    expect(report.profile.hostname).toBe('agent-demo');
    expect(report.profile.os.release).toMatch(/^6\./);
    expect(report.profile.cpus).toHaveLength(1);
    expect(report.profile.interfaces.some((i) => i.address === '10.0.2.15')).toBe(true);
    // The guest clock starts from the RTC (whole seconds): the offset stays within a few s.
    expect(Math.abs(report.heartbeat.offsetMs)).toBeLessThan(5000);
    expect(report.heartbeat.delayMs).toBeGreaterThan(0);
    expect(['none', 'slew', 'step']).toContain(report.heartbeat.action);
    expect(Math.abs(report.resumeHeartbeat.offsetMs)).toBeLessThan(5000);
  });

  it('runs a command and streams its output back', () => {
    expect(report.execOutput).toMatch(/^Linux agent-demo 6\./);
  });

  it('mounts the host folder and the files written in the guest land on the host', () => {
    expect(report.fstabLine).toMatch(
      /^10\.0\.2\.2\t\/mnt\/multiverse-portal\t9p\ttrans=tcp,port=\d+/,
    );
    expect(report.hostFiles['from-agent.txt']).toBe('written by file.write\n');
    expect(report.hostFiles['from-exec.txt']).toBe(
      'hello from the host folder\nexec in agent-demo\n',
    );
  });

  it('tells a host that comes back how the last session ended, after the on-disconnect hook ran', () => {
    expect(report.disconnectEvent.reason).toMatch(/closed/);
    expect(report.disconnectEvent.hooks).toEqual([{ name: 'note-disconnect', exitCode: 0 }]);
    expect(consoleLines.some((l) => l.includes('mv-agent: host disconnected'))).toBe(true);
    expect(report.events.filter((e) => e.name === 'boot')).toHaveLength(2);
  });

  it('shuts down cleanly on QMP system_powerdown: hooks ran, the event arrived, QEMU exited 0', () => {
    expect(consoleLines.some((l) => l.includes('mv-image: power button pressed'))).toBe(true);
    expect(consoleLines.some((l) => l.includes('mv-agent: power button pressed'))).toBe(true);
    expect(report.events).toContainEqual({
      name: 'hook',
      data: { hook: 'before-shutdown', name: 'flush', exitCode: 0 },
    });
    expect(report.shutdownEvent).toBe(true);
    expect(report.qemuExit).toEqual({ code: 0, signal: null });
  });

  it('passes twice more in a row: three real guests, the same outcome', async () => {
    for (let round = 2; round <= 3; round++) {
      const again = await runAgentDemo({ bootTimeout: 170_000 });
      expect(again.strangerRefused).not.toBe('not refused');
      expect(again.execOutput).toMatch(/^Linux agent-demo 6\./);
      expect(again.hostFiles['from-agent.txt']).toBe('written by file.write\n');
      expect(again.shutdownEvent).toBe(true);
      expect(again.disconnectEvent.hooks).toEqual([{ name: 'note-disconnect', exitCode: 0 }]);
      expect(again.qemuExit).toEqual({ code: 0, signal: null });
    }
  }, 480_000);
});
