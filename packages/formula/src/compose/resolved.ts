import type { Boot, FormulaDocument } from '../schema/formula.js';

/**
 * A formula with its bases merged in, defaults applied and children resolved: what the
 * compilers take. `source` is the file it came from.
 */
export interface ResolvedFormula
  extends Omit<FormulaDocument, 'extends' | 'children' | 'name' | 'category' | 'boot'> {
  name: string;
  category: string;
  boot?: Boot;
  source: string;
  children: ResolvedFormula[];
}
