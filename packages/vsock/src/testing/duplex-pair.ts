import { Duplex } from 'node:stream';

/**
 * Two in-memory Duplex ends wired to each other, like a socketpair (Node 20 has no
 * `stream.duplexPair`): what one writes, the other reads; ending one ends the other's
 * readable side; destroying one destroys the other, as closing a socket does; a write after
 * the peer is gone fails with `peer closed`.
 */
export function duplexPair(): [Duplex, Duplex] {
  let left!: Duplex;
  let right!: Duplex;
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const other = peer();
        if (other.destroyed) {
          callback(new Error('peer closed'));
          return;
        }
        other.push(chunk);
        callback();
      },
      final(callback) {
        peer().push(null);
        callback();
      },
      destroy(error, callback) {
        const other = peer();
        if (!other.destroyed) other.destroy();
        callback(error);
      },
    });
  left = make(() => right);
  right = make(() => left);
  return [left, right];
}
