// The formula model: one zod schema yields the types, the validator and the JSON Schema.

export { decodeFormulaCbor, encodeFormulaCbor } from './compile/cbor.js';
export { type CompileTarget, compileFormula } from './compile/compile.js';
export {
  FORMULA_XML_NAMESPACE,
  type LibvirtDomainOptions,
  renderLibvirtDomain,
  toLibvirtDomain,
} from './compile/libvirt.js';
export {
  type PlannedBoot,
  type PlannedDevice,
  type PlannedDisk,
  type PlannedNic,
  type PlannedSocket,
  type PortalPlan,
  type PortalPlanOptions,
  planPortal,
} from './compile/plan.js';
// Compilers.
export { AGENT_CHANNEL, portalDevices } from './compile/portal.js';
export {
  type Command,
  type QemuArgsOptions,
  type QemuCommand,
  renderQemuArgs,
  toQemuArgs,
} from './compile/qemu.js';
export type { QemuSocket } from './compile/qemu-devices.js';
export {
  defaultPortalShare,
  type HostFolder,
  type HostFoldersOptions,
  hostFolders,
  toFstab,
} from './compile/shares.js';
// Composition: extends, children, loaders, the catalog this package ships.
export { builtinCatalogDir, formulaSchemaFile } from './compose/catalog.js';
export {
  createFileLoader,
  createMemoryLoader,
  type FileLoaderOptions,
  type FormulaLoader,
  isFileReference,
  type LoadedFormula,
} from './compose/loader.js';
export { mergeFormulaValues } from './compose/merge.js';
export { type ReadFormulaFileOptions, readFormulaFile } from './compose/read-file.js';
export {
  DEFAULT_MAX_COMPOSE_DEPTH,
  DEFAULT_MAX_FORMULA_LOADS,
  type ResolvedFormula,
  type ResolveOptions,
  resolveFormulaFile,
  resolveFormulaText,
} from './compose/resolve.js';
// Errors.
export {
  ExtendsCycleError,
  FormulaCompileError,
  FormulaError,
  type FormulaErrorCode,
  FormulaFileError,
  type FormulaIssue,
  FormulaLimitError,
  FormulaNotFoundError,
  FormulaValidationError,
  formatIssue,
  MacCollisionError,
} from './errors.js';
// Host look-ups (the only I/O besides reading formula files).
export { findPciAddresses, hostPciIds, SYSFS_PCI_DEVICES } from './host/pci.js';
// Lint: valid but most likely a mistake.
export {
  formatLintIssue,
  type LintIssue,
  type LintOptions,
  type LoadedFormulaFile,
  lintFormulas,
  resolveFormulaFileWithSources,
} from './lint/lint.js';
export { AGENT_METHODS_BY_CATEGORY, type LintCode, systemPathOf } from './lint/rules.js';
// Networks.
export {
  allocateMacs,
  autoVsockCid,
  flattenPortals,
  interfaceKey,
  MAC_PREFIX,
} from './network/mac.js';
export { type ScaffoldOptions, scaffoldFormula } from './scaffold.js';
export {
  type Device,
  type DeviceKind,
  DeviceSchema,
  type MemoryDevice,
  type PciDevice,
  type ShmemDevice,
  type UsbDevice,
} from './schema/devices.js';
export {
  AGENT_METHODS,
  type Agent,
  API_VERSION,
  type Boot,
  CATEGORY_ROOTS,
  type ChildReference,
  type Disk,
  type DiskBoot,
  type FolderShare,
  type FormulaDocument,
  type FormulaDocumentInput,
  FormulaDocumentSchema,
  HOOKS,
  type Hook,
  type KernelBoot,
  type Network,
  type PortalShare,
  type Provisioning,
  type Resources,
  type Script,
  type Shares,
} from './schema/formula.js';
export {
  FORMULA_SCHEMA_ID,
  formulaJsonSchema,
  formulaJsonSchemaText,
} from './schema/json-schema.js';
export { didYouMean, editDistance } from './schema/suggest.js';
export { parseSize, sizeInMiB } from './schema/units.js';
// Validation of one document.
export { toFormulaIssues, type ValidationResult, validateFormulaText } from './validate.js';
export {
  DEFAULT_MAX_ALIAS_COUNT,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_NESTING,
  formatPath,
  locate,
  type ParseYamlOptions,
  parseFormulaYaml,
  type SourceDocument,
  type SourcePosition,
} from './yaml/parse.js';
