// What libvirt 9.0's domain schema fixes: the order of the top-level elements and the values
// some of them take. Data only; the Domain class reads and writes with it.

/** Top-level elements in the order libvirt writes them. */
export const DOMAIN_ORDER = [
  'name',
  'uuid',
  'genid',
  'title',
  'description',
  'metadata',
  'maxMemory',
  'memory',
  'currentMemory',
  'blkiotune',
  'memtune',
  'memoryBacking',
  'vcpu',
  'vcpus',
  'iothreads',
  'iothreadids',
  'cputune',
  'numatune',
  'resource',
  'sysinfo',
  'bootloader',
  'bootloader_args',
  'os',
  'idmap',
  'features',
  'cpu',
  'clock',
  'on_poweroff',
  'on_reboot',
  'on_crash',
  'on_lockfailure',
  'pm',
  'perf',
  'devices',
  'seclabel',
  'keywrap',
  'launchSecurity',
  'qemu:commandline',
  'qemu:capabilities',
  'qemu:override',
  'qemu:deprecation',
];

/** The hypervisor types libvirt 9.0 accepts in `<domain type>`. */
export const DOMAIN_TYPES = [
  'kvm',
  'qemu',
  'test',
  'xen',
  'lxc',
  'hvf',
  'none',
  'kqemu',
  'vmware',
  'bhyve',
  'vbox',
  'hyperv',
  'vz',
  'uml',
  'openvz',
  'phyp',
  'parallels',
] as const;
export const LIFECYCLE_ACTIONS = [
  'destroy',
  'restart',
  'preserve',
  'rename-restart',
  'coredump-destroy',
  'coredump-restart',
] as const;
/** libvirt's largest memory size in KiB (VIR_DOMAIN_MEMORY_PARAM_UNLIMITED). */
export const MAX_MEMORY_KIB = Number.MAX_SAFE_INTEGER;
export const QEMU_NAMESPACE = 'http://libvirt.org/schemas/domain/qemu/1.0';
