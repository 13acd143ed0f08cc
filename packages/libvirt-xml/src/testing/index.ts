export {
  canonicalXml,
  type DocumentKind,
  documentKind,
  LibvirtToolError,
  mapLimit,
  requireTool,
  SCHEMA_DIR,
  validateFiles,
  virshDefine,
  virtInstallXml,
  virtXmlValidate,
} from './libvirt-tools.js';
