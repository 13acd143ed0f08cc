import { keepaliveTypes } from './generated/keepalive.js';
import { qemuTypes } from './generated/qemu.js';
import { remoteTypes } from './generated/remote.js';
import { virnetTypes } from './generated/virnet.js';
import { XdrSchema } from './xdr/codec.js';

/**
 * Every XDR type of libvirt's protocols (virnet, keepalive, remote, qemu) in one schema: the
 * names do not collide (each file has its own prefix), and qemu's types refer to remote's.
 * Codecs compile on first use.
 */
export const protocolSchema = new XdrSchema({
  ...virnetTypes,
  ...keepaliveTypes,
  ...remoteTypes,
  ...qemuTypes,
});
