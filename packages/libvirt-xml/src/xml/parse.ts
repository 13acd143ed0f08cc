import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isXmlChar, NON_XML_CHARS } from '../checks.js';
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
    const code = hex(bad[0].charCodeAt(0));
    const { line, column } = locate(xml, bad.index);
    throw new XmlMalformedError(
      `character U+${code} at offset ${bad.index} is not allowed in XML`,
      line,
      column,
    );
  }
  const verdict = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (verdict !== true)
    throw new XmlMalformedError(verdict.err.msg, verdict.err.line, verdict.err.col);
  if (xml.includes('&#')) refuseBadCharReferences(xml);
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

// Comments, CDATA sections and PIs are skipped (a reference there is plain text); the input is
// known to be well-formed here, so these spans cannot be confused with markup.
const CHAR_REFERENCE =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|&#(x[0-9a-fA-F]+|[0-9]+);/g;

/**
 * `&#0;` or `&#xD800;` would smuggle in what a raw character cannot: the XML 1.0 `Char` rule
 * applies to references too (well-formedness constraint "Legal Character").
 */
function refuseBadCharReferences(xml: string): void {
  CHAR_REFERENCE.lastIndex = 0;
  for (let m = CHAR_REFERENCE.exec(xml); m !== null; m = CHAR_REFERENCE.exec(xml)) {
    const ref = m[1];
    if (ref === undefined) continue;
    const digits = ref[0] === 'x' ? ref.slice(1) : ref;
    // Long digit strings are out of range whatever they say; parse only what fits.
    const code =
      digits.replace(/^0+/, '').length > 8
        ? Number.POSITIVE_INFINITY
        : Number.parseInt(digits, ref[0] === 'x' ? 16 : 10);
    if (!isXmlChar(code)) {
      const { line, column } = locate(xml, m.index);
      const what = Number.isFinite(code) && code <= 0x10ffff ? `U+${hex(code)}` : 'beyond U+10FFFF';
      throw new XmlMalformedError(
        `character reference ${m[0].slice(0, 24)} (${what}) is not allowed in XML`,
        line,
        column,
      );
    }
  }
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

/** 1-based line and column of a character offset. */
function locate(xml: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let at = xml.indexOf('\n'); at !== -1 && at < offset; at = xml.indexOf('\n', at + 1)) {
    line++;
    start = at + 1;
  }
  return { line, column: offset - start + 1 };
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
