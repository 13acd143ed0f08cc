import { describe, expect, it } from 'vitest';
import { LibvirtProtocolError } from '../../src/errors.js';
import { REMOTE_PROGRAM, RemoteProcedure } from '../../src/generated/remote.js';
import { VirNetMessageStatus, VirNetMessageType } from '../../src/generated/virnet.js';
import {
  decodeHeader,
  encodePacket,
  isPing,
  MAX_PACKET_SIZE,
  type Packet,
  PacketDecoder,
  PING_PACKET,
  PONG_PACKET,
} from '../../src/rpc/index.js';
import { protocolSchema } from '../../src/schema.js';

const callHeader = {
  program: REMOTE_PROGRAM,
  version: 1,
  procedure: RemoteProcedure.REMOTE_PROC_CONNECT_OPEN,
  type: VirNetMessageType.VIR_NET_CALL,
  serial: 7,
  status: VirNetMessageStatus.VIR_NET_OK,
};

// remote_connect_open_args { name = "qemu:///system", flags = 0 }, laid out by hand.
const openArgs = Buffer.from(
  [
    '00000001', // name: present
    '0000000e 71656d753a2f2f2f73797374656d 0000', // 14 bytes "qemu:///system" + 2 padding
    '00000000', // flags
  ]
    .join('')
    .replace(/\s/g, ''),
  'hex',
);

const openPacket = Buffer.from(
  [
    '00000038', // length: 4 + 24 + 28 = 56
    '20008086', // program REMOTE_PROGRAM
    '00000001', // version
    '00000001', // procedure REMOTE_PROC_CONNECT_OPEN
    '00000000', // type VIR_NET_CALL
    '00000007', // serial
    '00000000', // status VIR_NET_OK
  ].join('') + openArgs.toString('hex'),
  'hex',
);

function protocolError(fn: () => unknown): LibvirtProtocolError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LibvirtProtocolError);
    return error as LibvirtProtocolError;
  }
  throw new Error('expected a LibvirtProtocolError');
}

describe('packets', () => {
  it('encodes a call byte for byte, arguments from the generated schema', () => {
    const args = protocolSchema.encode('remote_connect_open_args', {
      name: 'qemu:///system',
      flags: 0,
    });
    expect(Buffer.from(args).equals(openArgs)).toBe(true);
    expect(encodePacket(callHeader, args).equals(openPacket)).toBe(true);
  });

  it('decodes the packet from any chunking: whole, byte by byte, split at every offset', () => {
    const stream = Buffer.concat([openPacket, PING_PACKET, openPacket]);
    const expectPackets = (packets: Packet[]) => {
      expect(packets.map((p) => p.header)).toEqual([
        callHeader,
        decodeHeader(PING_PACKET.subarray(4)),
        callHeader,
      ]);
      expect(Buffer.from(packets[0]!.payload).equals(openArgs)).toBe(true);
      expect(packets[1]!.payload.length).toBe(0);
      expect(isPing(packets[1]!.header)).toBe(true);
    };
    expectPackets(new PacketDecoder().push(stream));
    const bytewise = new PacketDecoder();
    expectPackets([...stream].flatMap((b) => bytewise.push(Uint8Array.of(b))));
    for (let split = 1; split < stream.length; split++) {
      const d = new PacketDecoder();
      expectPackets([...d.push(stream.subarray(0, split)), ...d.push(stream.subarray(split))]);
      expect(d.pending).toBe(0);
    }
  });

  it('keepalive PING and PONG are 28-byte messages of the keepalive program', () => {
    expect(PING_PACKET.toString('hex')).toBe(
      '0000001c' + '6b656570' + '00000001' + '00000001' + '00000002' + '00000000' + '00000000',
    );
    expect(PONG_PACKET.readInt32BE(12)).toBe(2);
  });

  it('refuses lengths below the header or above the bound, and stays failed', () => {
    const tooShort = Buffer.from('0000001b', 'hex');
    expect(protocolError(() => new PacketDecoder().push(tooShort)).message).toMatch(
      /length 27 is below the minimum of 28/,
    );
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(MAX_PACKET_SIZE + 1);
    expect(protocolError(() => new PacketDecoder().push(huge)).message).toMatch(
      /exceeds the maximum of 33554436/,
    );
    const small = new PacketDecoder(1024);
    const d = Buffer.alloc(4);
    d.writeUInt32BE(1025);
    expect(protocolError(() => small.push(d)).message).toMatch(/exceeds the maximum of 1024/);
    expect(protocolError(() => small.push(openPacket)).message).toMatch(
      /exceeds the maximum of 1024/,
    );
  });

  it('refuses unknown message types and statuses', () => {
    const badType = Buffer.from(openPacket);
    badType.writeInt32BE(9, 16);
    expect(protocolError(() => new PacketDecoder().push(badType)).message).toMatch(
      /unknown message type 9/,
    );
    const badStatus = Buffer.from(openPacket);
    badStatus.writeInt32BE(-1, 24);
    expect(protocolError(() => new PacketDecoder().push(badStatus)).message).toMatch(
      /unknown status -1/,
    );
  });

  it('refuses to frame a packet beyond the bound', () => {
    expect(protocolError(() => encodePacket(callHeader, new Uint8Array(100), 64)).message).toMatch(
      /packet of 128 bytes exceeds the maximum of 64/,
    );
  });

  it('holds at most one packet of memory for an announced length', () => {
    const d = new PacketDecoder();
    expect(d.push(openPacket.subarray(0, 10))).toEqual([]);
    expect(d.pending).toBe(10);
  });
});
