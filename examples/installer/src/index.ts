// The installer: a host configuration turned into a plan and applied.

export { type ApplyReport, applyPlan, type Change, destroyPlan } from './apply.js';
export {
  DEFAULT_CATALOG,
  HOST_API_VERSION,
  type HostConfig,
  HostConfigSchema,
  parseHostConfig,
  readHostConfig,
} from './config.js';
export { type DirectOptions, runDirect } from './direct.js';
export {
  ConfigValidationError,
  InstallerError,
  type InstallerErrorCode,
  LibvirtError,
} from './errors.js';
export { formatInstallPlan, installPlanJson } from './format.js';
export {
  buildInstallPlan,
  CATALOG_IMAGE_ROOT,
  type DomainRole,
  type InstallPlan,
  type PlannedDomain,
  POOL_FOLDERS,
} from './plan.js';
export { Progress } from './progress.js';
export { InstallerState, type Made, type ObjectKind } from './state.js';
export { type VirshResult, VirshSession, virshQuote } from './virsh.js';
