import type { Duplex } from 'node:stream';
import { VirNetMessageStatus, VirNetMessageType } from '../../src/generated/virnet.js';
import { encodePacket, type Packet, PacketDecoder } from '../../src/rpc/index.js';
import { protocolSchema } from '../../src/schema.js';

/**
 * The daemon end of a duplex pair, for edge cases a real libvirtd will not produce on demand:
 * it hands each call packet to `onCall`, which answers with `reply`/`fail` (or not at all).
 */
export class FakeDaemon {
  readonly calls: Packet[] = [];
  readonly received: Packet[] = [];
  private readonly decoder = new PacketDecoder();

  constructor(
    readonly end: Duplex,
    private readonly onCall: (call: Packet, daemon: FakeDaemon) => void = () => {},
  ) {
    end.on('data', (chunk: Buffer) => {
      for (const p of this.decoder.push(chunk)) {
        this.received.push(p);
        if (p.header.type === VirNetMessageType.VIR_NET_CALL) {
          this.calls.push(p);
          this.onCall(p, this);
        }
      }
    });
    end.on('error', () => {});
  }

  reply(call: Packet, retType: string | null, value?: unknown, serial = call.header.serial): void {
    const payload = retType ? protocolSchema.encode(retType, value) : new Uint8Array(0);
    this.end.write(
      encodePacket(
        {
          ...call.header,
          type: VirNetMessageType.VIR_NET_REPLY,
          serial,
          status: VirNetMessageStatus.VIR_NET_OK,
        },
        payload,
      ),
    );
  }

  fail(call: Packet, code: number, message: string): void {
    const payload = protocolSchema.encode('remote_error', {
      code,
      domain: 10,
      message,
      level: 2,
      dom: null,
      str1: null,
      str2: null,
      str3: null,
      int1: 0,
      int2: 0,
      net: null,
    });
    this.end.write(
      encodePacket(
        {
          ...call.header,
          type: VirNetMessageType.VIR_NET_REPLY,
          status: VirNetMessageStatus.VIR_NET_ERROR,
        },
        payload,
      ),
    );
  }

  send(bytes: Uint8Array): void {
    this.end.write(bytes);
  }
}
