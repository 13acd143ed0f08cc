import type { Duplex } from 'node:stream';
import { connect, createServer, type PeerCertificate, type TLSSocket } from 'node:tls';
import { TlsError } from '../errors.js';
import { fingerprint, type Identity } from './identity.js';

export interface SecureChannelOptions {
  /** This side's key and certificate. */
  identity: Identity;
  /** The one certificate the other side must present (PEM). */
  peerCert: string;
  /** Handshake deadline in ms. Default 30 000 (TCG guests are slow). */
  timeout?: number;
}

/**
 * TLS 1.3 over any Duplex, mutually authenticated against one pinned certificate per side.
 * The pinned certificate is the only trust anchor (`ca`), OpenSSL verifies the chain and the
 * signature of the handshake, and we also compare the SHA-256 fingerprint, so a certificate
 * merely issued by the pinned one does not pass either.
 */
function verifyPin(socket: TLSSocket, expected: string, who: string): void {
  const peer: PeerCertificate | undefined = socket.getPeerCertificate();
  if (!socket.authorized) {
    throw new TlsError(
      `${who} not authorized: ${String(socket.authorizationError ?? 'no certificate')}`,
    );
  }
  if (!peer || peer.fingerprint256 !== expected) {
    throw new TlsError(`${who} presented a certificate that is not the pinned one`);
  }
}

function handshake(
  socket: TLSSocket,
  event: 'secureConnect' | 'secure',
  timeout: number,
  check: () => void,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new TlsError(`TLS handshake timed out after ${timeout} ms`)),
      timeout,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        error instanceof TlsError
          ? error
          : new TlsError(`TLS handshake failed: ${error.message}`, { cause: error }),
      );
    };
    socket.once('error', fail);
    socket.once('close', () =>
      fail(new TlsError('the peer closed the channel during the TLS handshake')),
    );
    socket.once(event, () => {
      try {
        check();
      } catch (error) {
        fail(error as Error);
        return;
      }
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.removeAllListeners('close');
      resolve(socket);
    });
  });
}

/** The host side: TLS client with its certificate, pinning the portal's. */
export function connectSecure(stream: Duplex, options: SecureChannelOptions): Promise<TLSSocket> {
  const expected = fingerprint(options.peerCert);
  const socket = connect({
    socket: stream,
    key: options.identity.key,
    cert: options.identity.cert,
    ca: [options.peerCert],
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    rejectUnauthorized: true,
    servername: 'multiverse-portal',
    // The pin replaces host name checks: the portal has no DNS name.
    checkServerIdentity: (_host, cert) =>
      cert.fingerprint256 === expected
        ? undefined
        : new TlsError('the portal certificate is not the pinned one'),
  });
  return handshake(socket, 'secureConnect', options.timeout ?? 30_000, () =>
    verifyPin(socket, expected, 'the portal'),
  );
}

/**
 * The agent side: TLS server that requires the host's pinned client certificate. The stream
 * is injected into a `tls.Server` as a connection (documented for any Duplex), so Node's own
 * client-certificate verification runs.
 */
export function acceptSecure(stream: Duplex, options: SecureChannelOptions): Promise<TLSSocket> {
  const expected = fingerprint(options.peerCert);
  const timeout = options.timeout ?? 30_000;
  const server = createServer({
    key: options.identity.key,
    cert: options.identity.cert,
    ca: [options.peerCert],
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    requestCert: true,
    rejectUnauthorized: true,
    handshakeTimeout: timeout,
  });
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      server.removeAllListeners();
      // Let the TLS alert reach the peer before the stream goes.
      stream.end();
      setTimeout(() => stream.destroy(), 1000).unref();
      reject(
        error instanceof TlsError
          ? error
          : new TlsError(`TLS handshake failed: ${error.message}`, { cause: error }),
      );
    };
    const onClose = () =>
      fail(new TlsError('the peer closed the channel during the TLS handshake'));
    stream.once('close', onClose);
    server.once('tlsClientError', (error) => fail(error));
    server.once('secureConnection', (socket: TLSSocket) => {
      stream.off('close', onClose);
      server.removeAllListeners();
      try {
        verifyPin(socket, expected, 'the host');
      } catch (error) {
        socket.destroy();
        reject(error);
        return;
      }
      resolve(socket);
    });
    server.emit('connection', stream);
  });
}
