import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TlsError } from '../errors.js';

/** A key and its self-signed certificate, PEM: what each side holds of itself. */
export interface Identity {
  key: string;
  cert: string;
}

/** SHA-256 of the DER certificate, `AA:BB:...`: what the other side pins. */
export function fingerprint(certPem: string): string {
  try {
    return new X509Certificate(certPem).fingerprint256;
  } catch (error) {
    throw new TlsError('not a PEM certificate', { cause: error });
  }
}

/**
 * A fresh Ed25519 key and a self-signed certificate (CA:TRUE, so the peer can use it as its
 * only trust anchor), made by the `openssl` CLI: Node has no certificate builder, and we write
 * no cryptography of our own. Needs Debian's `openssl` package.
 */
export async function generateIdentity(commonName: string, days = 3650): Promise<Identity> {
  const dir = await mkdtemp(join(tmpdir(), 'mv-agent-identity-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ed25519',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      `/CN=${commonName.replace(/[^A-Za-z0-9. -]/g, '_')}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,digitalSignature,keyCertSign',
    ]).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        throw new TlsError('the openssl CLI is missing (install Debian package openssl)');
      }
      throw new TlsError(`openssl req failed: ${error.message}`, { cause: error });
    });
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
