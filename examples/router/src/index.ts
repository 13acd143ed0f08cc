// The router controller: a typed network plan and everything it emits.

export { type EmitOptions, type EmittedFile, emitPlan, planFiles } from './emit.js';
export {
  type PlanIssue,
  PlanNotFoundError,
  PlanValidationError,
  RouterError,
  type RouterErrorCode,
  UsageError,
} from './errors.js';
export { formatPlan } from './format.js';
export { DEFAULT_CATALOG, routerDomainXml, routerFormula, routerFormulaYaml } from './formulas.js';
export {
  GUEST_CONFIG_DIR,
  type GuestFile,
  interfacesFile,
  nftablesRules,
  routerGuestFiles,
  setupScript,
  udhcpdConfig,
} from './guest-config.js';
export {
  type Cidr,
  formatCidr,
  formatIpv4,
  macForIp,
  netmask,
  parseCidr,
  parseIpv4,
} from './ipv4.js';
export { issueAt, toPlanIssues } from './issues.js';
export { libvirtNetwork } from './libvirt.js';
export {
  type NetworkPlan,
  type PlanNetwork,
  type PlanRoute,
  type PlanRouter,
  parsePlan,
  type RouterInterface,
  readPlan,
} from './plan.js';
export {
  type NetworkPlanDocument,
  NetworkPlanSchema,
  PLAN_API_VERSION,
} from './schema.js';
