import { checkXmlChars } from '../checks.js';
import { MalformedValueError } from '../errors.js';
import { decodeXml, escapeAttr, escapeText } from '../xml/escape.js';
import {
  childElements,
  createElement,
  firstChild,
  insertChild,
  removeChild,
  type XmlElement,
} from '../xml/tree.js';

/**
 * A typed window onto one element of the tree. Views hold no data of their own: getters read
 * the element, setters write it, so whatever the model does not know stays in place and a
 * parse/serialize round trip loses nothing. `path` names the element for error messages.
 */
export class ElementView {
  /** Child element names in the order libvirt writes them; new children are inserted accordingly. */
  protected static readonly childOrder: readonly string[] = [];

  /**
   * @param attach For a view over an element that is not in the tree yet (reading a missing
   *   `<cpu>` must not add one): called once, before the first write.
   */
  constructor(
    readonly element: XmlElement,
    readonly path: string,
    private attach?: () => void,
  ) {}

  /** Puts a detached element into the tree before it is written to. */
  protected touch(): void {
    if (this.attach) {
      const attach = this.attach;
      this.attach = undefined;
      attach();
    }
  }

  /** Whether the element is part of the document (false for a missing section not yet written). */
  get present(): boolean {
    return this.attach === undefined;
  }

  /** Decoded attribute value. */
  attr(name: string): string | undefined {
    const raw = this.element.attrs[name];
    return typeof raw === 'string' ? decodeXml(raw) : undefined;
  }

  /** Sets (or with `undefined` removes) an attribute; the value is escaped. */
  setAttr(name: string, value: string | number | boolean | undefined): this {
    this.touch();
    setAttr(this.element, name, value);
    return this;
  }

  child(name: string): XmlElement | undefined {
    return firstChild(this.element, name);
  }

  children(name: string): XmlElement[] {
    return childElements(this.element, name);
  }

  /** The first `<name>` child, created in libvirt's order when missing. */
  ensureChild(
    name: string,
    attrs?: Record<string, string | number | boolean | undefined>,
  ): XmlElement {
    const existing = firstChild(this.element, name);
    if (existing) return existing;
    this.touch();
    const created = createElement(name);
    if (attrs) for (const key in attrs) setAttr(created, key, attrs[key]);
    this.insert(created);
    return created;
  }

  /** Inserts a new child element in libvirt's order (after existing siblings of the same name). */
  insert(child: XmlElement): XmlElement {
    this.touch();
    const order = (this.constructor as typeof ElementView).childOrder;
    const rank = order.indexOf(child.name);
    let ref: XmlElement | undefined;
    if (rank >= 0) {
      for (const node of this.element.children) {
        if (node.kind !== 'element') continue;
        const r = order.indexOf(node.name);
        if (r > rank) {
          ref = node;
          break;
        }
      }
    }
    insertChild(this.element, child, ref);
    return child;
  }

  removeChildren(name: string): this {
    for (const child of childElements(this.element, name)) removeChild(this.element, child);
    return this;
  }

  /** Decoded text of the first `<name>` child. */
  childText(name: string): string | undefined {
    const child = firstChild(this.element, name);
    return child === undefined ? undefined : textOf(child);
  }

  /** Replaces the text of `<name>` (created when missing); `undefined` removes the child. */
  setChildText(name: string, value: string | number | undefined): this {
    if (value === undefined) return this.removeChildren(name);
    const text = checkXmlChars(this.path === '' ? name : `${this.path}.${name}`, String(value));
    setText(this.ensureChild(name), text);
    return this;
  }

  childAttr(name: string, attr: string): string | undefined {
    const child = firstChild(this.element, name);
    const raw = child?.attrs[attr];
    return typeof raw === 'string' ? decodeXml(raw) : undefined;
  }

  setChildAttr(name: string, attr: string, value: string | number | boolean | undefined): this {
    if (value === undefined) {
      const child = firstChild(this.element, name);
      if (child) setAttr(child, attr, undefined);
      return this;
    }
    setAttr(this.ensureChild(name), attr, value);
    return this;
  }
}

export function setAttr(
  element: XmlElement,
  name: string,
  value: string | number | boolean | undefined,
): void {
  if (value === undefined) {
    delete element.attrs[name];
    return;
  }
  const text = typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
  element.attrs[name] = escapeAttr(checkXmlChars(`${element.name}@${name}`, text));
}

export function textOf(element: XmlElement): string {
  let text = '';
  for (const node of element.children) {
    if (node.kind === 'text') text += decodeXml(node.raw);
    else if (node.kind === 'cdata') text += node.text;
  }
  return text;
}

export function setText(element: XmlElement, value: string): void {
  checkXmlChars(element.name, value);
  element.children = value === '' ? [] : [{ kind: 'text', raw: escapeText(value) }];
}

/** Builds a fresh element from attributes (undefined ones skipped) and children. */
export function el(
  name: string,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Array<XmlElement | string | undefined | false>
): XmlElement {
  const element = createElement(name);
  for (const key in attrs) setAttr(element, key, attrs[key]);
  for (const child of children) {
    if (child === undefined || child === false) continue;
    if (typeof child === 'string') {
      element.children.push({ kind: 'text', raw: escapeText(checkXmlChars(name, child)) });
    } else element.children.push(child);
  }
  return element;
}

/** `yes`/`no` (`on`/`off`) attributes as booleans; anything else is a `MalformedValueError` at `path`. */
export function yesNo(path: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'yes' || value === 'on') return true;
  if (value === 'no' || value === 'off') return false;
  throw new MalformedValueError(path, value, 'yes or no (on or off)');
}

/** Decoded attribute of any element (the tree keeps values escaped). */
export function attrOf(element: XmlElement, name: string): string | undefined {
  const raw = element.attrs[name];
  return typeof raw === 'string' ? decodeXml(raw) : undefined;
}
