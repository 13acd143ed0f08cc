// How the package's scripts find node-gyp and Node's headers; shared by the build (prebuildify),
// the development build and the install fallback. Shipped in the npm package for the fallback.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** node-gyp's entry: the package manager's own (npm and pnpm set npm_config_node_gyp), a local one, npm's. */
export function findNodeGyp() {
  const fromEnv = process.env.npm_config_node_gyp;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    return createRequire(join(packageDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {}
  const prefix = join(dirname(process.execPath), '..');
  for (const candidate of [
    join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    join(prefix, 'lib/node_modules/pnpm/dist/node_modules/node-gyp/bin/node-gyp.js'),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Node's headers when they are installed beside the node binary (Debian's nodejs, the official
 * tarballs): node-gyp then needs no download. The addon uses N-API only, so any Node >= 20
 * headers build a binary every later Node loads.
 */
export function localNodeDir() {
  if (process.env.npm_config_nodedir) return undefined;
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : undefined;
}

/** [command, args] that run node-gyp (a .js entry runs under this node). */
export function nodeGypCommand(nodeGyp, args) {
  return nodeGyp.endsWith('.js') ? [process.execPath, [nodeGyp, ...args]] : [nodeGyp, args];
}
