// A guest recipe (images/<flavor>/recipe.toml): the pinned upstream root filesystem per
// architecture, the busybox the init runs on, and the kernel and modules of the virtual machine.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { z } from 'zod';

const what = z.string().min(1);
const file = z.string().min(1);
/** A tarball pinned by its SHA-512, downloadable from `url`. */
const tarball = z.object({ what, file, url: z.string().url(), sha512: z.string().regex(/^[0-9a-f]{128}$/) }).strict();
/** A container image pinned by digest, read from an OCI archive in the cache. */
const image = z.object({ what, file, image: z.string().min(1), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) }).strict();
const base = z.union([tarball, image]);

const recipeSchema = z
  .object({
    flavor: z.enum(['alpine', 'fedora']),
    release: z.string().min(1),
    busybox: z.enum(['base', 'busybox-static']),
    base: z.object({ x86_64: base, aarch64: base }).strict(),
    vm: z.object({ kernel: z.literal('cloud'), modules: z.array(z.string().regex(/^\w+$/)).min(1) }).strict(),
  })
  .strict();

export type GuestRecipe = z.infer<typeof recipeSchema> & { text: string };
export type PinnedBase = z.infer<typeof base>;

export const RECIPES = ['alpine', 'fedora'] as const;

export function loadRecipe(repo: string, flavor: (typeof RECIPES)[number]): GuestRecipe {
  const at = path.join(repo, 'images', flavor, 'recipe.toml');
  const text = readFileSync(at, 'utf8');
  const parsed = recipeSchema.safeParse(parse(text));
  if (!parsed.success) throw new Error(`${at}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...parsed.data, text };
}
