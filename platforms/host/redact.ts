// Keeps private things out of support bundles: the user's name and home folder, the machine's
// name, network addresses and serial numbers. Applied when a bundle is written.
import { decodeText } from './text.ts';

export interface Secrets {
  username: string | null;
  homedir: string | null;
  hostname: string | null;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `addresses`: also hide IP and MAC addresses (only for outputs that list network cards: version numbers look alike). */
export function redactText(text: string, s: Secrets, addresses = false): string {
  let out = text;
  if (s.homedir && s.homedir.length > 1) out = out.split(s.homedir).join('~');
  if (s.username && s.username.length > 1) {
    // Only as a whole path segment or a whole word after a label: "root" must not break "rootless".
    const u = escapeRe(s.username);
    out = out.replace(new RegExp(`(?<=[/\\\\])${u}(?=[/\\\\"'\\s]|$)`, 'gm'), '<user>');
  }
  if (s.hostname && s.hostname.length > 1 && !/^(localhost|debian|ubuntu|fedora)$/i.test(s.hostname)) {
    out = out.replace(new RegExp(`\\b${escapeRe(s.hostname)}\\b`, 'gi'), '<hostname>');
  }
  out = out.replace(/<serial>[^<]*<\/serial>/g, '<serial><redacted></serial>');
  if (!addresses) return out;
  out = out.replace(/\b(?!127\.)(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?\b(?![.\d])/g, (ip) => (isPlausibleIp(ip) ? '<ip>' : ip));
  out = out.replace(/\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b/g, '<mac>');
  // IPv6: hex groups with a "::" or at least six groups (PCI ids and clock times have fewer).
  out = out.replace(/(?<![\w:.])(?=[0-9A-Fa-f:]*::|(?:[0-9A-Fa-f]{1,4}:){5})[0-9A-Fa-f:]{2,39}(?:%\w+)?(?![\w:.])/g, '<ip>');
  return out;
}

// Version numbers such as 10.0.22621.2715 or 535.104.05 are not addresses.
function isPlausibleIp(ip: string): boolean {
  const parts = ip.split('/')[0]!.split('.').map(Number);
  return parts.every((p) => p <= 255) && !(parts[0] === 0);
}

/** Redacts UTF-8 or UTF-16LE bytes, keeping their encoding. */
export function redactBytes(bytes: Uint8Array, s: Secrets, addresses = false): Uint8Array {
  const text = decodeText(bytes);
  const redacted = redactText(text, s, addresses);
  if (redacted === text) return bytes;
  const utf16 = bytes.length >= 2 && (bytes[1] === 0 || (bytes[0] === 0xff && bytes[1] === 0xfe));
  if (!utf16) return new TextEncoder().encode(redacted);
  const body = Buffer.from(redacted, 'utf16le');
  return bytes[0] === 0xff && bytes[1] === 0xfe ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : new Uint8Array(body);
}
