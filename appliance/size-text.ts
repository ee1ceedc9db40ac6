// Sizes in words, for messages about caps: every layer states its limits the same way.

/** "64 KiB", "8 MiB", "64 GiB": the caps are whole binary units. */
export function sizeText(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && n % 1024 === 0 && u < units.length - 1) [n, u] = [n / 1024, u + 1];
  return `${n} ${units[u]}`;
}
