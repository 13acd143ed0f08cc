import { Duplex } from 'node:stream';

/** Two in-memory Duplex ends wired to each other, like a socketpair. */
export function duplexPair(): [Duplex, Duplex] {
  let a: Duplex;
  let b: Duplex;
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
      // Like a socket: destroying one end ends the other.
      destroy(err, cb) {
        const other = peer();
        if (!other.destroyed) other.destroy();
        cb(err);
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}
