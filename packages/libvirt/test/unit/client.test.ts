import { duplexPair } from '@multiverse-os/vsock/testing';
import { describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../src/client/client.js';
import { Libvirt } from '../../src/client/libvirt.js';
import {
  LibvirtAbortError,
  LibvirtArgumentError,
  LibvirtConnectionClosedError,
  LibvirtRemoteError,
  LibvirtTimeoutError,
  LibvirtUnsupportedError,
  LibvirtXdrError,
} from '../../src/errors.js';
import { REMOTE_PROGRAM, RemoteProcedure } from '../../src/generated/remote.js';
import { VirNetMessageStatus, VirNetMessageType } from '../../src/generated/virnet.js';
import { encodePacket, PING_PACKET } from '../../src/rpc/index.js';
import { protocolSchema } from '../../src/schema.js';
import { FakeDaemon } from '../helpers/fake-daemon.js';

const dom = { name: 'vm1', uuid: new Uint8Array(16).fill(0xab), id: -1 };

function setup(onCall?: ConstructorParameters<typeof FakeDaemon>[1]) {
  const [clientEnd, daemonEnd] = duplexPair();
  const daemon = new FakeDaemon(daemonEnd, onCall);
  return { client: new LibvirtClient(clientEnd), daemon };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('LibvirtClient over a Duplex', () => {
  it('runs many calls at once and matches replies answered out of order by serial', async () => {
    const { client, daemon } = setup();
    const calls = ['a', 'b', 'c'].map((name) => client.call('domainLookupByName', { name }));
    await new Promise((r) => setTimeout(r, 10));
    expect(daemon.calls.map((c) => c.header.serial)).toEqual([1, 2, 3]);
    for (const call of [...daemon.calls].reverse()) {
      const { name } = protocolSchema.decode<{ name: string }>(
        'remote_domain_lookup_by_name_args',
        call.payload,
      );
      daemon.reply(call, 'remote_domain_lookup_by_name_ret', { dom: { ...dom, name } });
    }
    expect((await Promise.all(calls)).map((r) => r.dom.name)).toEqual(['a', 'b', 'c']);
    expect(client.connection.inFlight).toBe(0);
  });

  it("rejects with libvirt's error: code, domain, level, message and the virErrorNumber name", async () => {
    const { client } = setup((call, d) =>
      d.fail(call, 42, "Domain not found: no domain with matching name 'x'"),
    );
    const err = await rejection(client.call('domainLookupByName', { name: 'x' }));
    expect(err).toBeInstanceOf(LibvirtRemoteError);
    const remote = err as LibvirtRemoteError;
    expect(remote.code).toBe('REMOTE_ERROR');
    expect(remote.codeName).toBe('VIR_ERR_NO_DOMAIN');
    expect(remote.libvirtCode).toBe(42);
    expect(remote.domainName).toBe('VIR_FROM_QEMU');
    expect(remote.levelName).toBe('VIR_ERR_ERROR');
    expect(remote.message).toBe(
      "domainLookupByName: Domain not found: no domain with matching name 'x' [VIR_ERR_NO_DOMAIN]",
    );
  });

  it('rejects every call in flight with a clear error when the daemon goes away, and later calls too', async () => {
    const { client, daemon } = setup();
    const a = client.call('connectGetHostname');
    const b = client.call('domainLookupByName', { name: 'x' });
    await new Promise((r) => setTimeout(r, 10));
    daemon.end.destroy();
    for (const p of [a, b]) {
      const err = await rejection(p);
      expect(err).toBeInstanceOf(LibvirtConnectionClosedError);
      expect(err.message).toMatch(/while "(connectGetHostname|domainLookupByName)" was in flight/);
    }
    expect(await rejection(client.call('connectGetHostname'))).toBeInstanceOf(
      LibvirtConnectionClosedError,
    );
    expect(client.connection.closed).toBe(true);
  });

  it('closes on bytes that are not libvirt framing, naming the protocol error', async () => {
    const { client, daemon } = setup();
    const pending = client.call('connectGetHostname');
    await new Promise((r) => setTimeout(r, 10));
    daemon.send(Buffer.from('00000004', 'hex'));
    const err = await rejection(pending);
    expect(err).toBeInstanceOf(LibvirtConnectionClosedError);
    expect(err.message).toMatch(/packet length 4 is below the minimum/);
  });

  it('closes on a reply whose serial matches no call', async () => {
    const { client } = setup((call, d) =>
      d.reply(call, 'remote_connect_get_hostname_ret', { hostname: 'h' }, 999),
    );
    const err = await rejection(client.call('connectGetHostname'));
    expect(err.message).toMatch(/serial 999, which matches no call in flight/);
  });

  it('rejects a reply whose payload is not the declared result type, as an XDR error', async () => {
    const { client } = setup((call, d) =>
      d.reply(call, 'remote_connect_get_version_ret', { hv_ver: 1n }),
    );
    // connectGetHostname expects a string; eight bytes of hyper read as length 0 + 4 left over.
    const err = await rejection(client.call('connectGetHostname'));
    expect(err).toBeInstanceOf(LibvirtXdrError);
    expect(err.message).toMatch(/remote_connect_get_hostname_ret/);
  });

  it('answers keepalive PINGs with PONG', async () => {
    const { daemon } = setup();
    daemon.send(PING_PACKET);
    await new Promise((r) => setTimeout(r, 10));
    expect(daemon.received.map((p) => [p.header.program, p.header.procedure])).toEqual([
      [0x6b656570, 2],
    ]);
  });

  it('times out and aborts calls, and drops their late replies', async () => {
    const { client, daemon } = setup();
    const err = await rejection(client.call('connectGetHostname', undefined, { timeoutMs: 20 }));
    expect(err).toBeInstanceOf(LibvirtTimeoutError);
    const controller = new AbortController();
    const aborted = client.call('connectGetHostname', undefined, { signal: controller.signal });
    controller.abort();
    expect(await rejection(aborted)).toBeInstanceOf(LibvirtAbortError);
    for (const call of daemon.calls)
      daemon.reply(call, 'remote_connect_get_hostname_ret', { hostname: 'late' });
    // The connection is still fine afterwards.
    const next = client.call('connectGetHostname');
    await new Promise((r) => setTimeout(r, 10));
    daemon.reply(daemon.calls.at(-1)!, 'remote_connect_get_hostname_ret', { hostname: 'h' });
    expect((await next).hostname).toBe('h');
  });

  it('refuses unknown procedures, events, stream procedures and bad arguments before sending', async () => {
    const { client, daemon } = setup();
    // @ts-expect-error: not a procedure
    expect(await rejection(client.call('noSuchThing'))).toBeInstanceOf(LibvirtArgumentError);
    // @ts-expect-error: an event, not a call
    expect(await rejection(client.call('domainEventCallbackLifecycle'))).toBeInstanceOf(
      LibvirtArgumentError,
    );
    expect(
      await rejection(client.call('domainOpenConsole', { dom, dev_name: null, flags: 0 })),
    ).toBeInstanceOf(LibvirtUnsupportedError);
    // @ts-expect-error: wrong argument type
    const err = await rejection(client.call('domainLookupByName', { name: 5 }));
    expect(err).toBeInstanceOf(LibvirtXdrError);
    expect((err as LibvirtXdrError).path).toBe('remote_domain_lookup_by_name_args.name');
    await new Promise((r) => setTimeout(r, 10));
    expect(daemon.calls).toHaveLength(0);
  });

  it('delivers lifecycle events to listeners, isolating a listener that throws', async () => {
    const { client, daemon } = setup();
    const seen: unknown[] = [];
    client.onEvent('domainEventCallbackLifecycle', () => {
      throw new Error('listener bug');
    });
    client.onEvent('domainEventCallbackLifecycle', (m) => seen.push(m));
    const msg = { callbackID: 3, msg: { dom, event: 2, detail: 0 } };
    daemon.send(
      encodePacket(
        {
          program: REMOTE_PROGRAM,
          version: 1,
          procedure: RemoteProcedure.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
          type: VirNetMessageType.VIR_NET_MESSAGE,
          serial: 0,
          status: VirNetMessageStatus.VIR_NET_OK,
        },
        protocolSchema.encode('remote_domain_event_callback_lifecycle_msg', msg),
      ),
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([msg]);
  });

  it('Libvirt.getDomainState names the state', async () => {
    const { client } = setup((call, d) =>
      d.reply(call, 'remote_domain_get_state_ret', { state: 1, reason: 1 }),
    );
    expect(await new Libvirt(client).getDomainState(dom)).toEqual({
      state: 'running',
      code: 1,
      reason: 1,
    });
  });
});
