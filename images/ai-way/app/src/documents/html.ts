// HTML to plain text for indexing: what a reader of the page sees, without markup, scripts or
// styles. Not a browser: it only has to keep the words and the breaks between blocks.
const HIDDEN = /<(script|style|noscript|template|svg|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const COMMENT = /<!--[\s\S]*?-->/g;
const DECLARATION = /<![^>]*>|<\?[\s\S]*?\?>/g;
const BLOCK_TAGS = (
  'address article aside blockquote br dd div dl dt figcaption figure footer h[1-6] header hr li main nav ol p pre section ' +
  'table td th tr ul'
).split(' ');
const BLOCK = new RegExp(`</?(${BLOCK_TAGS.join('|')})\\b[^>]*>`, 'gi');
const TAG = /<\/?[a-zA-Z][^>]*>/g;
const TITLE = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i;

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  copy: '©',
  reg: '®',
  euro: '€',
  eacute: 'é',
  egrave: 'è',
  agrave: 'à',
  uuml: 'ü',
  ouml: 'ö',
  auml: 'ä',
  szlig: 'ß',
};

function codePoint(n: number): string {
  return Number.isInteger(n) && n > 0 && n <= 0x10ffff && (n < 0xd800 || n > 0xdfff) ? String.fromCodePoint(n) : '\uFFFD';
}

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);/gi, (whole, name: string) => {
    if (name[0] === '#') return codePoint(name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1)));
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

export function htmlToText(html: string): string {
  const title = TITLE.exec(html)?.[1]?.trim();
  const body = html.replace(COMMENT, ' ').replace(HIDDEN, ' ').replace(DECLARATION, ' ').replace(BLOCK, '\n').replace(TAG, '');
  const lines = decodeEntities(body)
    .split('\n')
    .map((l) => l.replace(/[ \t\f\v\r\u00a0]+/g, ' ').trim());
  const text = lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return title ? `${decodeEntities(title)}\n\n${text}` : text;
}
