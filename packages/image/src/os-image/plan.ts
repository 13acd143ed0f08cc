// The pure half of an image build: the mmdebstrap command line and the scripts it runs.

import { posix } from 'node:path';
import type { NormalizedRecipe } from './recipe.js';

/** Where the agent lives in the guest. */
export const GUEST_AGENT_DIR = '/opt/multiverse-agent';
export const GUEST_AGENT_CONFIG = '/etc/multiverse/agent.json';
/**
 * The fw_cfg entry a launcher may pass the agent's configuration in
 * (`-fw_cfg name=opt/org.multiverse-os/agent.json,file=...`): one image, per-portal keys.
 */
export const AGENT_FW_CFG_NAME = 'opt/org.multiverse-os/agent.json';
export const AGENT_SERVICE = 'multiverse-agent.service';

/** Single-quotes a word for sh. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Paths a build uses on the host. */
export interface BuildPaths {
  /** The chroot mmdebstrap creates (a folder; removed once the file system is written). */
  root: string;
  /** The customize hook script. */
  hook: string;
  /** The essential hook script (runs before the kernel is installed). */
  essentialHook: string;
  /** Agent files staged for the hook (agent.cjs, addons, unit, agent.json). */
  stage: string;
}

/** Documentation and translations are left out: nothing in a portal reads them. */
const DPKG_EXCLUDES = [
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/locale/*',
  'path-exclude=/usr/share/info/*',
  // Drivers for hardware a QEMU portal never has: a third of the kernel package's size.
  ...[
    'drivers/gpu',
    'drivers/media',
    'drivers/net/wireless',
    'drivers/net/ethernet',
    'drivers/infiniband',
    'drivers/staging',
    'drivers/bluetooth',
    'drivers/isdn',
    'sound',
  ].map((tree) => `path-exclude=/lib/modules/*/kernel/${tree}/*`),
];

/**
 * The mmdebstrap argv (without the binary). The target is a folder: hooks run while /dev,
 * /proc and /sys are mounted in the chroot, so the file system is written after mmdebstrap
 * has returned (and, in unshare mode, those mounts never existed outside its namespace).
 */
export function mmdebstrapArgs(
  recipe: NormalizedRecipe,
  paths: BuildPaths,
  mode: 'root' | 'unshare',
): string[] {
  return [
    `--mode=${mode}`,
    `--variant=${recipe.variant}`,
    '--format=directory',
    `--architectures=${recipe.arch}`,
    `--components=${recipe.components.join(',')}`,
    `--include=${recipe.packages.join(',')}`,
    ...DPKG_EXCLUDES.map((option) => `--dpkgopt=${option}`),
    '--aptopt=Acquire::Retries "3"',
    `--essential-hook=sh ${shellQuote(paths.essentialHook)} "$1"`,
    `--customize-hook=sh ${shellQuote(paths.hook)} "$1"`,
    recipe.suite,
    paths.root,
    recipe.mirror,
  ];
}

/** The systemd unit that runs the agent at boot. */
export function agentUnit(env: Readonly<Record<string, string>>): string {
  const environment = Object.entries(env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `Environment=${name}=${value}\n`)
    .join('');
  return `[Unit]
Description=Multiverse OS agent
After=local-fs.target systemd-udev-settle.service systemd-udevd.service

[Service]
${environment}ExecStartPre=/bin/sh ${GUEST_AGENT_DIR}/load-config.sh
ExecStart=/usr/bin/node ${GUEST_AGENT_DIR}/agent.cjs ${GUEST_AGENT_CONFIG}
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
`;
}

/** Takes the configuration from fw_cfg when the image has none baked in. */
export const LOAD_AGENT_CONFIG = `#!/bin/sh
# The configuration baked into the image wins; else a launcher's fw_cfg entry.
set -eu
[ -s ${GUEST_AGENT_CONFIG} ] && exit 0
modprobe qemu_fw_cfg 2>/dev/null || true
source=/sys/firmware/qemu_fw_cfg/by_name/${AGENT_FW_CFG_NAME}/raw
if [ ! -r "$source" ]; then
  echo "mv-agent: no ${GUEST_AGENT_CONFIG} and no fw_cfg ${AGENT_FW_CFG_NAME}" >&2
  exit 1
fi
umask 077
mkdir -p ${posix.dirname(GUEST_AGENT_CONFIG)}
cat "$source" > ${GUEST_AGENT_CONFIG}.tmp
mv ${GUEST_AGENT_CONFIG}.tmp ${GUEST_AGENT_CONFIG}
`;

/**
 * The customize hook: runs after the packages are installed, with the root folder as $1,
 * inside mmdebstrap's namespace (so ownership reads as in the guest). It configures the
 * system and installs the agent.
 */
export function customizeHook(recipe: NormalizedRecipe, paths: BuildPaths): string {
  const stage = shellQuote(paths.stage);
  const lines = [
    '#!/bin/sh',
    'set -eu',
    'root="$1"',
    `stage=${stage}`,
    'echo "mv-image: configuring the system"',
    `printf '%s\\n' ${shellQuote(recipe.hostname)} > "$root/etc/hostname"`,
    `printf '127.0.0.1\\tlocalhost\\n127.0.1.1\\t%s\\n' ${shellQuote(recipe.hostname)} > "$root/etc/hosts"`,
    `printf '/dev/vda / ext4 defaults,errors=remount-ro 0 1\\n' > "$root/etc/fstab"`,
  ];
  if (recipe.agent) {
    const agentDir = `"$root"${GUEST_AGENT_DIR}`;
    lines.push(
      'echo "mv-image: installing the agent"',
      `install -d -m 0755 ${agentDir}`,
      `install -m 0644 "$stage/agent.cjs" ${agentDir}/agent.cjs`,
      `install -m 0755 "$stage/load-config.sh" ${agentDir}/load-config.sh`,
    );
    for (const addon of recipe.agent.addons ?? []) {
      const name = posix.basename(addon.path);
      lines.push(`install -m 0755 "$stage/addons/${name}" ${agentDir}/${name}`);
    }
    if (recipe.agent.config !== undefined) {
      lines.push(
        `install -d -m 0700 "$root"${posix.dirname(GUEST_AGENT_CONFIG)}`,
        `install -m 0600 "$stage/agent.json" "$root"${GUEST_AGENT_CONFIG}`,
      );
    }
    lines.push(
      `install -m 0644 "$stage/${AGENT_SERVICE}" "$root/etc/systemd/system/${AGENT_SERVICE}"`,
      'install -d -m 0755 "$root/etc/systemd/system/multi-user.target.wants"',
      `ln -sf /etc/systemd/system/${AGENT_SERVICE} "$root/etc/systemd/system/multi-user.target.wants/${AGENT_SERVICE}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The essential hook: runs before the kernel is installed, so its initrd is built once, small:
 * only the drivers a QEMU portal needs to mount its root (`MODULES=most` copies hundreds of
 * modules and takes minutes under emulation). udev in the initrd loads them by alias.
 */
export const ESSENTIAL_HOOK = `#!/bin/sh
set -eu
root="$1"
mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/etc/initramfs-tools/hooks"
printf 'MODULES=list\\n' > "$root/etc/initramfs-tools/conf.d/multiverse"
cat > "$root/etc/initramfs-tools/hooks/multiverse" <<'HOOK'
#!/bin/sh
[ "\${1:-}" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
manual_add_modules virtio_pci virtio_blk virtio_scsi ext4 crc32c_generic
HOOK
chmod 0755 "$root/etc/initramfs-tools/hooks/multiverse"
`;
