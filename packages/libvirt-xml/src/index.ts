// Errors
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
export {
  AddressView,
  addressElement,
  type CcwAddress,
  type DeviceAddress,
  type DriveAddress,
  type PciAddress,
  parsePciAddress,
  type UsbAddress,
  type VirtioSerialAddress,
} from './model/address.js';
export { type ChannelInput, CharDeviceView, type SerialInput } from './model/devices/character.js';
export { DeviceView } from './model/devices/device.js';
export { DEVICE_ORDER, DevicesView } from './model/devices/devices.js';
export { type DiskInput, type DiskSource, DiskView } from './model/devices/disk.js';
export { type FilesystemInput, FilesystemView } from './model/devices/filesystem.js';
export { type HostdevInput, HostdevView } from './model/devices/hostdev.js';
export { type InterfaceInput, InterfaceView } from './model/devices/interface.js';
export {
  type MemoryDeviceInput,
  MemoryDeviceView,
  type ShmemInput,
  ShmemView,
} from './model/devices/memory.js';
export {
  type ControllerInput,
  GenericDeviceView,
  type GraphicsInput,
  GraphicsView,
  type InputDeviceInput,
  type TpmInput,
} from './model/devices/others.js';
export { MIN_GUEST_CID, type VsockInput, VsockView } from './model/devices/vsock.js';
// Generic document layer
export { DocumentView, NamedDocumentView } from './model/document.js';
// Domain
export {
  cloneDomain,
  Domain,
  type DomainOptions,
  domain,
  parseDomain,
  serializeDomain,
} from './model/domain.js';
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
export {
  DOMAIN_ORDER,
  DOMAIN_TYPES,
  LIFECYCLE_ACTIONS,
  QEMU_NAMESPACE,
} from './model/domain-schema.js';
// Network and storage
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
export type { ValueProblem } from './model/problems.js';
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
export { ElementView, el } from './model/view.js';
export { type Size, type SizeInput, sizeToBytes, toSize, unitFactor } from './units.js';
export {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_SIZE,
  type ParseXmlOptions,
  parseXml,
} from './xml/parse.js';
export { serializeElement, serializeXml } from './xml/serialize.js';
export type {
  XmlCData,
  XmlComment,
  XmlDocument,
  XmlElement,
  XmlNode,
  XmlProcessingInstruction,
  XmlText,
} from './xml/tree.js';
