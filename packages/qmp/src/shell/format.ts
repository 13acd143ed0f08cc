/** Pretty JSON for the shell: two-space indent, bigints as exact integers. */
export function formatValue(value: unknown): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(
    value,
    (_k, v: unknown) => (typeof v === 'bigint' ? `${marker}${v.toString()}` : v),
    2,
  );
  return (text ?? 'undefined').replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
