import { describe, expect, it } from 'vitest';
import {
  allocateMacs,
  decodeFormulaCbor,
  encodeFormulaCbor,
  flattenPortals,
  resolveFormulaFile,
  toFstab,
  toQemuArgs,
} from '../../src/index.js';
import { catalogFiles, catalogName } from '../helpers/catalog.js';

const files = catalogFiles();
const formulas = files.map((file) => resolveFormulaFile(file));
const portals = formulas.filter((f) => !f.abstract);

describe('examples/formulas', () => {
  it("holds the seeds' alpha portal tree", () => {
    expect(files.map(catalogName)).toEqual(
      expect.arrayContaining([
        'application/browser/chromium',
        'application/browser/firefox',
        'application/browser/torbrowser',
        'application/console',
        'application/filebrowser',
        'application/media',
        'application/development/projects',
        'application/torrent',
        'application/wallet/bitcoin',
        'application/wallet/monero',
        'service/web/nginx',
        'service/router/universe',
        'service/router/galaxy',
        'service/router/star',
        'controller/router',
        'controller/user',
        'bases/debian',
        'bases/alpine',
      ]),
    );
  });

  it('names each formula after the file it is in', () => {
    for (const [index, formula] of formulas.entries()) {
      const name = catalogName(files[index]!);
      if (!name.startsWith('bases/')) expect(formula.category, name).toBe(name);
    }
  });

  it('nests the galaxy and star routers in the universe router, in the router controller', () => {
    const controller = formulas[files.findIndex((f) => catalogName(f) === 'controller/router')]!;
    expect(controller.children.map((c) => c.name)).toEqual(['universe-router']);
    expect(controller.children[0]!.children.map((c) => c.name)).toEqual([
      'galaxy-router',
      'star-router',
    ]);
  });

  it('gives every interface of the whole catalog its own 00:00:10 MAC', () => {
    const macs = allocateMacs(portals);
    const interfaces = flattenPortals(portals).reduce((n, p) => n + p.networks.length, 0);
    expect(new Set(macs.values()).size).toBe(macs.size);
    expect(macs.size).toBeLessThanOrEqual(interfaces);
    for (const mac of macs.values()) expect(mac).toMatch(/^00:00:10:/);
  });

  it('compiles every portal to QEMU argv, fstab and CBOR', () => {
    const macs = allocateMacs(portals);
    for (const formula of portals) {
      const command = toQemuArgs(formula, {
        runDir: `/run/multiverse/${formula.name}`,
        macs,
        pciIds: {},
      });
      expect(command.args, formula.name).toContain('-qmp');
      expect(toFstab(formula, { home: '/home/user' }).split('\n').filter(Boolean).length).toBe(
        command.hostFolders.length,
      );
      expect(decodeFormulaCbor(encodeFormulaCbor(formula))).toEqual(formula);
    }
  });
});
