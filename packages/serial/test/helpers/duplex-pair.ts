import { Duplex } from 'node:stream';

/** Two connected in-memory Duplex ends: what one writes, the other reads. */
export function duplexPair(): [Duplex, Duplex] {
  const make = (): Duplex & { peer?: Duplex } =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const peer = (this as Duplex & { peer?: Duplex }).peer;
        if (!peer || peer.destroyed) callback(new Error('peer closed'));
        else {
          peer.push(chunk);
          callback();
        }
      },
      final(callback) {
        (this as Duplex & { peer?: Duplex }).peer?.push(null);
        callback();
      },
    });
  const a = make();
  const b = make();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
