// What a wsl.exe answer says of WSL on this computer, by its exit code first, then by what in its
// text is never translated: the "Error code: Wsl/..." symbol, an HRESULT, an aka.ms link, the usage
// text's option list. Windows is localized, so no English sentence alone decides anything. Pure.
import { wslAnswer } from '../host/parse/windows.ts';

export type WslState = 'ready' | 'not-installed' | 'kernel-missing' | 'inbox' | 'virtualization-off' | 'reboot-pending' | 'failed';

/** wsl.exe's exit code as a signed 32-bit number: Windows reports -1 as 4294967295 to some callers. */
export const signedExit = (exit: number | null): number | null => (exit === null ? null : exit | 0);

/** Exit codes that name a state whatever the text (see test/contract/fixtures/wsl-state/SOURCES.md). */
const BY_EXIT: Record<number, WslState> = {
  50: 'not-installed', // ERROR_NOT_SUPPORTED: `wsl --status` where WSL is not installed
  [-444]: 'kernel-missing',
  3010: 'reboot-pending', // ERROR_SUCCESS_REBOOT_REQUIRED
};

/** What in a text names a state: error symbols, HRESULTs and links are the same in every language. */
const BY_TEXT: [RegExp, WslState][] = [
  [/WSL_E_WSL_OPTIONAL_COMPONENT_REQUIRED|\b0x8007019e\b|aka\.ms\/wslinstall\b/i, 'not-installed'],
  [
    /\b0x80370102\b|WSL_E_VIRTUAL_MACHINE_PLATFORM_REQUIRED|HCS_E_HYPERV_NOT_INSTALLED|aka\.ms\/(enablevirtualization|wsl2-install)\b/i,
    'virtualization-off',
  ],
  [/\b0x800701bc\b|aka\.ms\/wsl2kernel\b/i, 'kernel-missing'],
  [/ERROR_SUCCESS_REBOOT_REQUIRED|\b0x80070bc2\b/i, 'reboot-pending'],
];

/**
 * The state one run of wsl.exe shows. `asked`: what it was asked; an inbox wsl.exe answers
 * `--version` with its usage text (or exit 128 where the text is lost), and Store WSL never does.
 */
export function wslState(asked: 'status' | 'version' | 'other', text: string, exit: number | null): WslState {
  const code = signedExit(exit);
  if (code !== null && BY_EXIT[code]) return BY_EXIT[code]!;
  for (const [pattern, state] of BY_TEXT) if (pattern.test(text)) return state;
  const shows = wslAnswer(text, code);
  if (shows === 'not-installed') return 'not-installed';
  if (asked === 'version' && (shows === 'usage' || code === 128)) return 'inbox';
  return code === 0 || (code === null && shows === 'answer') ? 'ready' : 'failed';
}

/** What to do about a state, in plain words and the command to type. */
export const WSL_FIXES: Record<Exclude<WslState, 'ready' | 'failed'>, { problem: string; fix: string }> = {
  'not-installed': {
    problem: 'WSL (the Windows Subsystem for Linux) is not installed',
    fix: 'install it from a terminal opened as administrator: wsl --install --no-distribution, then restart the computer',
  },
  'kernel-missing': {
    problem: "WSL's Linux kernel is missing",
    fix: 'update WSL: wsl --update (where the Microsoft Store is blocked: wsl --update --web-download)',
  },
  inbox: {
    problem: 'this WSL is the old one built into Windows, which cannot start ai-way',
    fix: 'update WSL: wsl --update (where the Microsoft Store is blocked: wsl --update --web-download)',
  },
  'virtualization-off': {
    problem: 'WSL 2 cannot start virtual machines here: virtualization is off',
    fix:
      "turn on virtualization (Intel VT-x or AMD-V/SVM) in the computer's firmware settings, " +
      'and run wsl --install --no-distribution as administrator, then restart',
  },
  'reboot-pending': {
    problem: 'WSL was installed or updated, and Windows waits for a restart',
    fix: 'restart the computer',
  },
};
