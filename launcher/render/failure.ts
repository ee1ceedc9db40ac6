// A failure as ai-way says it on stderr: one line, what went wrong and what to do.
import type { Failure } from '../../appliance/failures.ts';
import { terminalText } from './terminal-text.ts';

/** The line (with its newline); its text may have come from the appliance. `log`: where the details were written. */
export function failureLine(f: Failure, log?: string | null): string {
  return `ai-way: ${terminalText(f.oneLine())}${log ? ` (details in ${log})` : ''}\n`;
}
