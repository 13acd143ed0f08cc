/**
 * The ordered node tree every document lives in. Text and attribute values are kept in their
 * ESCAPED form as read (`raw`), so serializing writes back exactly what was parsed; typed views
 * decode on read and escape on write. Elements built through the API are marked `fresh`: only
 * they get indentation from the serializer, parsed elements keep their own whitespace.
 */
export interface XmlElement {
  readonly kind: 'element';
  name: string;
  /** Escaped attribute values in document order. */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Built by this library (pretty-printed on output) rather than parsed. */
  fresh: boolean;
}

export interface XmlText {
  readonly kind: 'text';
  /** Escaped text, exactly as in the source. */
  raw: string;
}

export interface XmlComment {
  readonly kind: 'comment';
  text: string;
}

export interface XmlCData {
  readonly kind: 'cdata';
  text: string;
}

/** `<?target ...?>`, including the XML declaration; attributes are kept raw like elements'. */
export interface XmlProcessingInstruction {
  readonly kind: 'pi';
  target: string;
  attrs: Record<string, string>;
}

export type XmlNode = XmlElement | XmlText | XmlComment | XmlCData | XmlProcessingInstruction;

export interface XmlDocument {
  /** Declaration, comments and PIs before the root element. */
  prolog: XmlNode[];
  root: XmlElement;
  /** Comments and PIs after the root element. */
  epilog: XmlNode[];
}

export function createElement(
  name: string,
  attrs: Record<string, string> = {},
  children: XmlNode[] = [],
): XmlElement {
  return { kind: 'element', name, attrs, children, fresh: true };
}

export function createText(raw: string): XmlText {
  return { kind: 'text', raw };
}

export function isWhitespace(node: XmlNode | undefined): node is XmlText {
  return node !== undefined && node.kind === 'text' && /^\s*$/.test(node.raw);
}

/**
 * Inserts `child` before `ref` (or at the end). In a parsed parent the neighbouring
 * indentation is copied so the new element lines up with its siblings.
 */
export function insertChild(parent: XmlElement, child: XmlElement, ref?: XmlElement): void {
  const nodes = parent.children;
  if (ref !== undefined) {
    const at = nodes.indexOf(ref);
    if (at >= 0) {
      const before = nodes[at - 1];
      if (!parent.fresh && isWhitespace(before)) nodes.splice(at, 0, child, createText(before.raw));
      else nodes.splice(at, 0, child);
      return;
    }
  }
  let lastElement = -1;
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (nodes[i]?.kind === 'element') {
      lastElement = i;
      break;
    }
  }
  const indent = nodes[lastElement - 1];
  if (!parent.fresh && lastElement >= 0 && isWhitespace(indent)) {
    nodes.splice(lastElement + 1, 0, createText(indent.raw), child);
  } else if (!parent.fresh && lastElement < 0 && isWhitespace(nodes[0])) {
    nodes.splice(0, 0, child);
  } else {
    nodes.push(child);
  }
}

/** Removes `child` and the indentation in front of it. */
export function removeChild(parent: XmlElement, child: XmlElement): void {
  const nodes = parent.children;
  const at = nodes.indexOf(child);
  if (at < 0) return;
  if (isWhitespace(nodes[at - 1])) nodes.splice(at - 1, 2);
  else nodes.splice(at, 1);
}

/** Element children named `name`, in document order. */
export function childElements(parent: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of parent.children) {
    if (node.kind === 'element' && node.name === name) out.push(node);
  }
  return out;
}

export function firstChild(parent: XmlElement, name: string): XmlElement | undefined {
  for (const node of parent.children) {
    if (node.kind === 'element' && node.name === name) return node;
  }
  return undefined;
}

/** Deep copy, for templates and for cloning documents. */
export function cloneElement(element: XmlElement): XmlElement {
  return {
    kind: 'element',
    name: element.name,
    attrs: { ...element.attrs },
    children: element.children.map((node) =>
      node.kind === 'element' ? cloneElement(node) : { ...node },
    ),
    fresh: element.fresh,
  };
}
