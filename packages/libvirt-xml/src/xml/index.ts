// biome-ignore-all assist/source/organizeImports: the entry reads by layer, in order.
// @multiverse-os/libvirt-xml/xml: the layers under the typed documents. For XML the typed
// views do not cover, and for tools built on the same lossless tree.

// The lossless tree: parse (bounded, no DTDs or entities) and serialize back byte for byte.
export {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_SIZE,
  type ParseXmlOptions,
  parseXml,
} from './parse.js';
export { serializeElement, serializeXml } from './serialize.js';
export type {
  XmlCData,
  XmlComment,
  XmlDocument,
  XmlElement,
  XmlNode,
  XmlProcessingInstruction,
  XmlText,
} from './tree.js';

// Typed views over it: the base classes every document and section view extends.
export { ElementView, el } from '../model/view.js';
export { DocumentView, NamedDocumentView } from '../model/document.js';

// Where libvirt puts elements, and address elements for custom devices.
export { DOMAIN_ORDER } from '../model/domain-schema.js';
export { DEVICE_ORDER } from '../model/devices/devices.js';
export { addressElement } from '../model/address.js';
