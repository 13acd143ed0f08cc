import { DEBIAN_SUITES, type DebianImageRecipe, type DebianSuite } from './recipe.js';

/**
 * The parts of a resolved @multiverse-os/formula portal (`resolveFormulaFile`) this reads.
 * Structural, so this package does not depend on the formula package.
 */
export interface FormulaForImage {
  name: string;
  source?: string;
  labels?: Readonly<Record<string, string>>;
  boot?:
    | { type: 'kernel'; kernel: string; initrd?: string | undefined }
    | { type: 'disk'; disk: string };
  disks: readonly { name: string; image: string; format?: string }[];
  provisioning: { packages: { apt: readonly string[]; apk?: readonly string[] } };
  agent?: { enabled: boolean };
  children?: readonly FormulaForImage[];
}

/** Why a formula's image cannot be built by `buildOsImage`. */
export type UnbuildableCode =
  | 'NO_ROOT_DISK'
  | 'NOT_DEBIAN'
  | 'UNKNOWN_RELEASE'
  | 'DISK_BOOT'
  | 'RAW_FORMAT';

export type FormulaImagePlan =
  | {
      buildable: true;
      formula: string;
      recipe: DebianImageRecipe;
      /** The formula enables the agent: build with `recipe.agent` set, or say why not. */
      needsAgent: boolean;
      /** Where the formula looks for the files (`installOsImage` puts them there). */
      expects: { rootfs: string; kernel?: string; initrd?: string };
    }
  | { buildable: false; formula: string; code: UnbuildableCode; reason: string };

const SUITE_BY_RELEASE = new Map<number, DebianSuite>(
  Object.entries(DEBIAN_SUITES).map(([suite, release]) => [release, suite as DebianSuite]),
);

function unbuildable(
  formula: FormulaForImage,
  code: UnbuildableCode,
  reason: string,
): FormulaImagePlan {
  return { buildable: false, formula: formula.name, code, reason };
}

/**
 * The image recipe a formula needs: Debian (by its `distro` label or an image path naming
 * `debian-<release>`), its root disk (the disk named `root`, else the first), direct kernel boot,
 * and `provisioning.packages.apt` installed. Anything else comes back as a reason, never thrown.
 */
export function imagePlanForFormula(formula: FormulaForImage): FormulaImagePlan {
  const root = formula.disks.find((disk) => disk.name === 'root') ?? formula.disks[0];
  if (!root)
    return unbuildable(formula, 'NO_ROOT_DISK', 'names no disk, so it needs no image to build');
  const release = /(?:^|[/_-])debian-?(\d+)(?:[/_.-]|$)/.exec(root.image);
  const distro = formula.labels?.distro ?? (release ? 'debian' : undefined);
  if (distro !== 'debian') {
    const apk = formula.provisioning.packages.apk?.length
      ? ` (apk: ${formula.provisioning.packages.apk.join(', ')})`
      : '';
    return unbuildable(
      formula,
      'NOT_DEBIAN',
      `its image ${root.image} is ${distro ?? 'not a Debian image'}${apk}; mv-image builds Debian images only: extend bases/debian, or name a prebuilt image by location and digest`,
    );
  }
  const releaseNumber = release ? Number(release[1]) : 12;
  const suite = SUITE_BY_RELEASE.get(releaseNumber);
  if (!suite) {
    return unbuildable(
      formula,
      'UNKNOWN_RELEASE',
      `its image ${root.image} names Debian ${releaseNumber}; mv-image builds ${[...SUITE_BY_RELEASE].map(([n, s]) => `Debian ${n} (${s})`).join(', ')}`,
    );
  }
  if (root.format === 'raw') {
    return unbuildable(
      formula,
      'RAW_FORMAT',
      `disk ${root.name} is raw; mv-image builds qcow2 images`,
    );
  }
  if (formula.boot?.type === 'disk') {
    return unbuildable(
      formula,
      'DISK_BOOT',
      `boots from disk ${formula.boot.disk} with firmware; mv-image images have no boot loader: use boot.type kernel with the vmlinuz and initrd.img beside the image`,
    );
  }
  const expects: { rootfs: string; kernel?: string; initrd?: string } = { rootfs: root.image };
  if (formula.boot?.type === 'kernel') {
    expects.kernel = formula.boot.kernel;
    if (formula.boot.initrd !== undefined) expects.initrd = formula.boot.initrd;
  }
  return {
    buildable: true,
    formula: formula.name,
    recipe: { suite, packages: [...formula.provisioning.packages.apt] },
    needsAgent: formula.agent?.enabled ?? false,
    expects,
  };
}

/** The plans of a formula and of every child portal, parents first. */
export function imagePlansForFormulaTree(formula: FormulaForImage): FormulaImagePlan[] {
  return [
    imagePlanForFormula(formula),
    ...(formula.children ?? []).flatMap(imagePlansForFormulaTree),
  ];
}
