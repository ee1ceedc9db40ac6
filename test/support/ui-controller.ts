// The terminal UI's controller without a session, fed raw bytes as a terminal feeds it: for tests
// of keys, commands and scrolling. What it sends to the clipboard and exits with is recorded.
import { UiController } from '../../launcher/ui/controller.ts';
import { frame } from '../../launcher/ui/layout.ts';
import type { UiState } from '../../launcher/ui/state.ts';
import type { Look } from '../../launcher/ui/text.ts';

export const LOOK: Look = { color: false, unicode: true, plain: false, width: 80, height: 24 };

export function uiAt(state: Partial<UiState>, look = LOOK) {
  const exits: number[] = [];
  const copied: string[] = [];
  const c = new UiController({
    appliance: 'selftest',
    options: { image: 'auto', gpu: 'auto' },
    look: () => look,
    exit: (n) => exits.push(n),
    copy: (t) => copied.push(t),
  });
  c.store.update(() => state);
  const s = () => c.store.get();
  /** Typed one key at a time, as a person types; or all at once, as a fast typist's burst arrives. */
  const type = (text: string, burst = false) => {
    if (burst) c.onInput(text);
    else for (const k of text) c.onInput(k);
  };
  /** The rows on screen, as text. */
  const shown = () =>
    frame(s(), look)
      .map((row) => row.map((span) => span.text).join(''))
      .join('\n');
  return { c, s, type, exits, copied, shown };
}
