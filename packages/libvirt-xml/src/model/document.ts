import { checkName, checkUuid } from '../checks.js';
import { WrongRootError } from '../errors.js';
import { type ParseXmlOptions, parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { createElement, type XmlDocument } from '../xml/tree.js';
import { collectProblems, type ValueProblem } from './problems.js';
import { ElementView } from './view.js';

/**
 * A whole libvirt document: the parsed tree (prolog, root, epilog) plus a typed view over its
 * root. `toXml()` writes the tree, so everything parsed comes back out.
 */
export class DocumentView extends ElementView {
  constructor(readonly document: XmlDocument) {
    super(document.root, '');
  }

  /**
   * Every value the typed getters cannot read (`<vcpu>abc</vcpu>`, `slot="zz"`), with its path.
   * Parsing accepts such documents and writes them back unchanged; reading one of those values
   * throws a `MalformedValueError`, so call this first to find them all at once.
   */
  problems(): ValueProblem[] {
    return collectProblems(this);
  }

  /** The document as XML text. */
  toXml(): string {
    return serializeXml(this.document);
  }

  override toString(): string {
    return this.toXml();
  }
}

/** A document whose object libvirt identifies by `<name>` and `<uuid>` (domain, network, pool). */
export class NamedDocumentView extends DocumentView {
  get name(): string | undefined {
    return this.childText('name');
  }
  set name(value: string) {
    this.setChildText('name', checkName('name', value));
  }
  get uuid(): string | undefined {
    return this.childText('uuid');
  }
  set uuid(value: string | undefined) {
    this.setChildText('uuid', value === undefined ? undefined : checkUuid('uuid', value));
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
