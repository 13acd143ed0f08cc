// biome-ignore-all assist/source/organizeImports: the front door reads by section, in order.
// @multiverse-os/libvirt-xml: typed libvirt XML (domain, network, storage pool and volume,
// secret, nwfilter) with a lossless round trip. The XML tree and the view base classes are
// `@multiverse-os/libvirt-xml/xml`; libvirt's own tools for tests are
// `@multiverse-os/libvirt-xml/testing`.

// Domains: build, parse, edit, serialize.
export {
  cloneDomain,
  Domain,
  type DomainOptions,
  domain,
  parseDomain,
  serializeDomain,
} from './model/domain.js';
export { DOMAIN_TYPES, LIFECYCLE_ACTIONS, QEMU_NAMESPACE } from './model/domain-schema.js';
export {
  ClockView,
  type CpuOptions,
  type CpuTopology,
  CpuView,
  FeaturesView,
  type KernelBootOptions,
  type MemoryBackingOptions,
  MemoryBackingView,
  OsView,
  type UefiOptions,
} from './model/domain-parts.js';

// Devices: what `Domain`'s builders take, and the views `domain.devices` lists.
export { DevicesView } from './model/devices/devices.js';
export { DeviceView } from './model/devices/device.js';
export {
  AddressView,
  type CcwAddress,
  type DeviceAddress,
  type DriveAddress,
  type PciAddress,
  parsePciAddress,
  type UsbAddress,
  type VirtioSerialAddress,
} from './model/address.js';
export { type DiskInput, type DiskSource, DiskView } from './model/devices/disk.js';
export { type FilesystemInput, FilesystemView } from './model/devices/filesystem.js';
export { type InterfaceInput, InterfaceView } from './model/devices/interface.js';
export { type ChannelInput, CharDeviceView, type SerialInput } from './model/devices/character.js';
export { type HostdevInput, HostdevView } from './model/devices/hostdev.js';
export {
  type MemoryDeviceInput,
  MemoryDeviceView,
  type ShmemInput,
  ShmemView,
} from './model/devices/memory.js';
export { MIN_GUEST_CID, type VsockInput, VsockView } from './model/devices/vsock.js';
export {
  type ControllerInput,
  GenericDeviceView,
  type GraphicsInput,
  GraphicsView,
  type InputDeviceInput,
  type TpmInput,
} from './model/devices/others.js';

// Networks, storage pools and volumes, secrets, nwfilters.
export {
  type DhcpHost,
  Network,
  type NetworkIpInput,
  NetworkIpView,
  type NetworkOptions,
  network,
  parseNetwork,
  serializeNetwork,
} from './model/network.js';
export {
  parseStoragePool,
  parseStorageVolume,
  StoragePool,
  type StoragePoolOptions,
  StorageVolume,
  type StorageVolumeOptions,
  serializeStoragePool,
  serializeStorageVolume,
  storagePool,
  storageVolume,
} from './model/storage.js';
export {
  NWFILTER_ACTIONS,
  NWFILTER_DIRECTIONS,
  Nwfilter,
  type NwfilterOptions,
  type NwfilterRuleInput,
  nwfilter,
  parseNwfilter,
  parseSecret,
  Secret,
  type SecretOptions,
  type SecretUsage,
  secret,
} from './model/secret-nwfilter.js';

// Values: sizes with units, raw elements (`el` builds one), what parsing accepts.
export { type Size, type SizeInput, sizeToBytes, toSize, unitFactor } from './units.js';
export { el } from './model/view.js';
export type { ParseXmlOptions } from './xml/parse.js';
export type { XmlDocument, XmlElement, XmlNode } from './xml/tree.js';
export type { ValueProblem } from './model/problems.js';

// Errors: LibvirtXmlError and its kinds, each with a stable `code`.
export {
  InvalidValueError,
  LibvirtXmlError,
  type LibvirtXmlErrorCode,
  MalformedValueError,
  WrongRootError,
  XmlForbiddenError,
  XmlMalformedError,
  XmlTooLargeError,
} from './errors.js';
