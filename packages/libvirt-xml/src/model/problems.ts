import { MalformedValueError } from '../errors.js';
import { ElementView } from './view.js';

/** One value in a document that its typed getter cannot read. */
export interface ValueProblem {
  /** Where, as getters name it: `vcpu`, `devices.disks[0].address.slot`. */
  path: string;
  /** The text as found in the document (decoded). */
  value: string;
  /** What the getter expected instead. */
  expected: string;
}

/**
 * Reads every typed getter of `view` and of the views they return (sections, device lists,
 * addresses), and lists each value that is malformed instead of throwing at the first one.
 * Getters only read, so this never changes the document.
 */
export function collectProblems(view: ElementView): ValueProblem[] {
  const found = new Map<string, ValueProblem>();
  const visit = (current: ElementView): void => {
    for (const getter of gettersOf(current)) {
      let value: unknown;
      try {
        value = getter.call(current);
      } catch (error) {
        if (!(error instanceof MalformedValueError)) throw error;
        found.set(`${error.path}\u0000${error.value}`, {
          path: error.path,
          value: error.value,
          expected: error.expected,
        });
        continue;
      }
      if (value instanceof ElementView) visit(value);
      else if (Array.isArray(value)) {
        for (const item of value) if (item instanceof ElementView) visit(item);
      }
    }
  };
  visit(view);
  return [...found.values()];
}

/** Getters a view's classes define, below ElementView's own (`present` and friends). */
function gettersOf(view: ElementView): Array<() => unknown> {
  const getters: Array<() => unknown> = [];
  const seen = new Set<string>();
  for (
    let proto = Object.getPrototypeOf(view);
    proto !== null && proto !== ElementView.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (seen.has(name) || descriptor.get === undefined) continue;
      seen.add(name);
      getters.push(descriptor.get);
    }
  }
  return getters;
}
