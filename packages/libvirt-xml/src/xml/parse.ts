import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { NON_XML_CHARS } from '../checks.js';
import { XmlForbiddenError, XmlMalformedError, XmlTooLargeError } from '../errors.js';
import { BAD_REFERENCE } from './escape.js';
import type { XmlDocument, XmlElement, XmlNode } from './tree.js';

export interface ParseXmlOptions {
  /** Largest accepted input, in characters (default 10 MiB). Checked before any parsing. */
  maxSize?: number;
  /** Deepest accepted element nesting (default 100, at most 1024); libvirt documents stay under 15. */
  maxDepth?: number;
}

export const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 100;

/** fast-xml-parser's ordered node: `{ [name]: children, ':@'?: attrs }`, `#text`, `#comment`... */
type OrderedNode = Record<string, unknown>;

// Entities stay unprocessed: values are kept escaped (see tree.ts) and decoded on demand.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
  ignoreDeclaration: false,
  ignorePiTags: false,
  // Our own maxDepth check (in toNode) is the one users set; this is the hard ceiling.
  maxNestedTags: 1024,
});

/**
 * Parses XML into the ordered tree. Refuses DTDs and entity declarations, oversized input,
 * and anything not well-formed, each with its own error class.
 */
export function parseXml(xml: string, options: ParseXmlOptions = {}): XmlDocument {
  const maxSize = options.maxSize ?? DEFAULT_MAX_SIZE;
  if (typeof xml !== 'string') throw new XmlMalformedError(`expected a string, got ${typeof xml}`);
  if (xml.length > maxSize) throw new XmlTooLargeError(xml.length, maxSize);
  refuseDeclarations(xml);
  const bad = NON_XML_CHARS.exec(xml);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw new XmlMalformedError(`character U+${code} at offset ${bad.index} is not allowed in XML`);
  }
  const verdict = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (verdict !== true)
    throw new XmlMalformedError(verdict.err.msg, verdict.err.line, verdict.err.col);
  let ordered: OrderedNode[];
  try {
    ordered = parser.parse(xml) as OrderedNode[];
  } catch (cause) {
    throw new XmlMalformedError(
      cause instanceof Error ? cause.message : String(cause),
      undefined,
      undefined,
      { cause },
    );
  }
  return toDocument(ordered, options.maxDepth ?? DEFAULT_MAX_DEPTH);
}

function refuseDeclarations(xml: string): void {
  if (!xml.includes('<!')) return;
  if (/<!DOCTYPE/i.test(xml)) throw new XmlForbiddenError('DOCTYPE');
  if (/<!(ENTITY|ELEMENT|ATTLIST|NOTATION)/i.test(xml)) throw new XmlForbiddenError('ENTITY');
}

function toDocument(ordered: OrderedNode[], maxDepth: number): XmlDocument {
  const prolog: XmlNode[] = [];
  const epilog: XmlNode[] = [];
  let root: XmlElement | undefined;
  for (const item of ordered) {
    const node = toNode(item, 0, maxDepth);
    if (node.kind === 'element') {
      if (root !== undefined)
        throw new XmlMalformedError(
          `more than one root element (<${root.name}> and <${node.name}>)`,
        );
      root = node;
    } else if (node.kind === 'text') {
      if (!/^\s*$/.test(node.raw)) throw new XmlMalformedError('text outside the root element');
    } else {
      (root === undefined ? prolog : epilog).push(node);
    }
  }
  if (root === undefined) throw new XmlMalformedError('no root element');
  return { prolog, root, epilog };
}

function toNode(item: OrderedNode, depth: number, maxDepth: number): XmlNode {
  if (depth > maxDepth) throw new XmlMalformedError(`elements nested deeper than ${maxDepth}`);
  for (const key in item) {
    if (key === ':@') continue;
    const value = item[key];
    if (key === '#text') {
      const raw = String(value);
      if (raw.includes('&') && BAD_REFERENCE.test(raw)) throw badReference(raw);
      return { kind: 'text', raw };
    }
    if (key === '#comment') return { kind: 'comment', text: innerText(value) };
    if (key === '#cdata') return { kind: 'cdata', text: innerText(value) };
    const attrs = (item[':@'] as Record<string, string> | undefined) ?? {};
    for (const name in attrs) {
      const raw = attrs[name] as string;
      if (raw.includes('<')) throw new XmlMalformedError(`'<' in the value of attribute ${name}`);
      if (raw.includes('&') && BAD_REFERENCE.test(raw)) throw badReference(raw);
    }
    if (key.charCodeAt(0) === 63 /* ? */) return { kind: 'pi', target: key.slice(1), attrs };
    const children: XmlNode[] = [];
    for (const child of value as OrderedNode[]) children.push(toNode(child, depth + 1, maxDepth));
    return { kind: 'element', name: key, attrs, children, fresh: false };
  }
  throw new XmlMalformedError('empty node from the XML parser');
}

function innerText(value: unknown): string {
  const parts = value as Array<{ '#text'?: unknown }>;
  let text = '';
  for (const part of parts) text += String(part['#text'] ?? '');
  return text;
}

function badReference(raw: string): XmlMalformedError {
  const at = raw.search(BAD_REFERENCE);
  const snippet = raw.slice(at, at + 20);
  return new XmlMalformedError(`undefined entity or stray '&' near ${JSON.stringify(snippet)}`);
}
