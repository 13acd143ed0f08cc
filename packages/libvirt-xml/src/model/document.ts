import { WrongRootError } from '../errors.js';
import { type ParseXmlOptions, parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { createElement, type XmlDocument } from '../xml/tree.js';
import { ElementView } from './view.js';

/**
 * A whole libvirt document: the parsed tree (prolog, root, epilog) plus a typed view over its
 * root. `toXml()` writes the tree, so everything parsed comes back out.
 */
export class DocumentView extends ElementView {
  constructor(readonly document: XmlDocument) {
    super(document.root, '');
  }

  /** The document as XML text. */
  toXml(): string {
    return serializeXml(this.document);
  }

  override toString(): string {
    return this.toXml();
  }
}

export function parseRoot(xml: string, rootName: string, options?: ParseXmlOptions): XmlDocument {
  const doc = parseXml(xml, options);
  if (doc.root.name !== rootName) throw new WrongRootError(rootName, doc.root.name);
  return doc;
}

export function newDocument(rootName: string): XmlDocument {
  return { prolog: [], root: createElement(rootName), epilog: [] };
}

/** Joins a parent path and a field name: `''` + `name` is `name`, `devices` + `disks[0]`... */
export function joinPath(parent: string, field: string): string {
  return parent === '' ? field : `${parent}.${field}`;
}
