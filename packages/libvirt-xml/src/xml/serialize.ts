import type { XmlDocument, XmlElement, XmlNode } from './tree.js';

const INDENT = '  ';

/** Writes the tree back out. Parsed nodes come out exactly as read; fresh ones are indented. */
export function serializeXml(doc: XmlDocument): string {
  let out = '';
  for (const node of doc.prolog) out += `${writeNode(node, 0)}\n`;
  out += writeElement(doc.root, 0);
  for (const node of doc.epilog) out += `\n${writeNode(node, 0)}`;
  return `${out}\n`;
}

export function serializeElement(element: XmlElement): string {
  return writeElement(element, 0);
}

function writeNode(node: XmlNode, depth: number): string {
  switch (node.kind) {
    case 'element':
      return writeElement(node, depth);
    case 'text':
      return node.raw;
    case 'comment':
      return `<!--${node.text}-->`;
    case 'cdata':
      return `<![CDATA[${node.text}]]>`;
    case 'pi': {
      let out = `<?${node.target}`;
      for (const name in node.attrs) out += ` ${name}="${quoteRaw(node.attrs[name] as string)}"`;
      return `${out}?>`;
    }
  }
}

function writeElement(element: XmlElement, depth: number): string {
  let out = `<${element.name}`;
  const attrs = element.attrs;
  for (const name in attrs) out += ` ${name}="${quoteRaw(attrs[name] as string)}"`;
  const children = element.children;
  if (children.length === 0) return `${out}/>`;
  out += '>';
  if (element.fresh && hasElementChild(children)) {
    const inner = `\n${INDENT.repeat(depth + 1)}`;
    for (const child of children) out += inner + writeNode(child, depth + 1);
    out += `\n${INDENT.repeat(depth)}`;
  } else {
    for (const child of children) out += writeNode(child, depth + 1);
  }
  return `${out}</${element.name}>`;
}

function hasElementChild(children: XmlNode[]): boolean {
  for (const child of children) if (child.kind === 'element') return true;
  return false;
}

/** Raw values came from either quote style; a `"` from a single-quoted source needs escaping. */
function quoteRaw(raw: string): string {
  return raw.includes('"') ? raw.replace(/"/g, '&quot;') : raw;
}
