/**
 * The <head> tags a link preview is made from (docs/web-client.md §6.1), read from a page's HTML.
 *
 * No HTML parser is among the server's dependencies, so this is a small, careful reader of exactly
 * what previews need — not a general parser: it looks only at the head (up to `</head>` or `<body>`),
 * skips comments and the contents of raw-text elements (script, style, title …: text there is not
 * markup), reads `<meta>` attributes quoted or not, takes the first `<title>`, and decodes character
 * references (numeric ones, and the named ones pages use in titles). It reads in one forward pass,
 * so its time grows with the page's size alone. The values come back as text for the domain to
 * clean and cap; nothing here is ever rendered as HTML.
 */
import type { PageMeta } from '../domain/link-previews.js';

/** Past this many characters of head, reading stops: tags that far in are not worth the time. */
const MAX_HEAD_CHARS = 512 * 1024;
/** A value longer than this is cut before decoding (the domain caps far lower anyway). */
const MAX_VALUE_CHARS = 4096;

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’',
  sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„', laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›', middot: '·', bull: '•', copy: '©',
  reg: '®', trade: '™', deg: '°', euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', para: '¶', times: '×', divide: '÷', iexcl: '¡',
  iquest: '¿', agrave: 'à', aacute: 'á', acirc: 'â', atilde: 'ã', auml: 'ä', aring: 'å', ccedil: 'ç', egrave: 'è', eacute: 'é',
  ecirc: 'ê', euml: 'ë', igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï', ntilde: 'ñ', ograve: 'ò', oacute: 'ó', ocirc: 'ô',
  otilde: 'õ', ouml: 'ö', oslash: 'ø', ugrave: 'ù', uacute: 'ú', ucirc: 'û', uuml: 'ü', yacute: 'ý', yuml: 'ÿ', szlig: 'ß',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Aring: 'Å', Ccedil: 'Ç', Egrave: 'È', Eacute: 'É', Ecirc: 'Ê',
  Euml: 'Ë', Igrave: 'Ì', Iacute: 'Í', Icirc: 'Î', Iuml: 'Ï', Ntilde: 'Ñ', Ograve: 'Ò', Oacute: 'Ó', Ocirc: 'Ô', Otilde: 'Õ',
  Ouml: 'Ö', Oslash: 'Ø', Ugrave: 'Ù', Uacute: 'Ú', Ucirc: 'Û', Uuml: 'Ü', Yacute: 'Ý',
};

/** Character references decoded; an unknown name stays as written, a code point out of range is U+FFFD. */
export function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));?/g, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name] ?? whole;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
    return String.fromCodePoint(code);
  });
}

// An attribute: a name, then optionally = and a value in double quotes, single quotes or none.
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** The attributes of one tag's inside (`name="x" content='y'`), names lower-cased, the first of each kept. */
export function attributesOf(inside: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const m of inside.matchAll(ATTRIBUTE)) {
    const name = m[1]!.toLowerCase();
    if (attributes.has(name)) continue;
    const raw = m[2] ?? m[3] ?? m[4] ?? '';
    attributes.set(name, decodeEntities(raw.slice(0, MAX_VALUE_CHARS)));
  }
  return attributes;
}

/** The tags whose contents are text, not markup: a `<meta` or `</head>` inside them means nothing. */
const RAW_TEXT = new Set(['script', 'style', 'template', 'noscript', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes']);
/** Enough for any real head; a page with more is not read further. */
const MAX_META_TAGS = 500;

const TAG_OPEN = /<(\/?)([A-Za-z][A-Za-z0-9:-]*)/y;
const SPACE = /\s/;

/**
 * Where the tag whose attributes start at `from` ends (its `>`), or -1: a `>` inside a quoted
 * attribute value does not end it (quotes open a value only after `=`, as HTML's tokenizer reads them).
 */
function tagEnd(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '>') return i;
    if (c !== '=') continue;
    let j = i + 1;
    while (j < s.length && SPACE.test(s[j]!)) j++;
    const quote = s[j];
    if (quote === '"' || quote === "'") {
      const close = s.indexOf(quote, j + 1);
      if (close === -1) return -1;
      i = close;
    } else i = j - 1;
  }
  return -1;
}

/** Where `</name` next starts at or after `from` (any case), or -1. */
function closingTag(s: string, name: string, from: number): number {
  const re = new RegExp(`</${name}[\\s>/]`, 'gi');
  re.lastIndex = from;
  return re.exec(s)?.index ?? -1;
}

/**
 * The `<meta>` tags (their attribute text) and the first `<title>`'s text of a page's head, up to
 * `</head>` or `<body>`, comments and raw-text elements skipped. One pass that never looks back:
 * a hostile page cannot make it slow, as regular expressions over the whole head could (backtracking).
 */
export function scanHead(html: string): { metas: string[]; title: string | undefined } {
  const s = html.length > MAX_HEAD_CHARS ? html.slice(0, MAX_HEAD_CHARS) : html;
  const metas: string[] = [];
  let title: string | undefined;
  let i = 0;
  while (i < s.length && metas.length < MAX_META_TAGS) {
    const lt = s.indexOf('<', i);
    if (lt === -1) break;
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt + 4);
      if (end === -1) break;
      i = end + 3;
      continue;
    }
    TAG_OPEN.lastIndex = lt;
    const open = TAG_OPEN.exec(s);
    if (!open) {
      i = lt + 1;
      continue;
    }
    const name = open[2]!.toLowerCase();
    const gt = tagEnd(s, lt + open[0].length);
    if (gt === -1) break;
    if (open[1] === '/') {
      if (name === 'head') break;
      i = gt + 1;
      continue;
    }
    if (name === 'body') break;
    if (name === 'meta') metas.push(s.slice(lt + open[0].length, gt));
    if (RAW_TEXT.has(name)) {
      const close = closingTag(s, name, gt + 1);
      if (name === 'title' && title === undefined) title = s.slice(gt + 1, close === -1 ? s.length : close);
      if (close === -1) break;
      i = close + 2 + name.length;
      continue;
    }
    i = gt + 1;
  }
  return { metas, title };
}

// Which tag fills which field; the first of each wins (Open Graph: the first og:image is the main one).
const KEYS: Record<string, keyof PageMeta> = {
  'og:title': 'ogTitle',
  'og:description': 'ogDescription',
  'og:image': 'ogImage',
  'og:image:url': 'ogImage',
  'og:image:secure_url': 'ogImage',
  'og:site_name': 'ogSiteName',
  'twitter:title': 'twitterTitle',
  'twitter:description': 'twitterDescription',
  'twitter:image': 'twitterImage',
  'twitter:image:src': 'twitterImage',
  description: 'description',
};

/** The preview tags of a page's HTML (as much of it as was read). */
export function readPageMeta(html: string): PageMeta {
  const { metas, title } = scanHead(html);
  const meta: PageMeta = {};
  for (const inside of metas) {
    const attributes = attributesOf(inside);
    const content = attributes.get('content');
    if (content === undefined) continue;
    // Open Graph uses `property`, Twitter cards and the description `name`; pages mix them up.
    for (const key of [attributes.get('property'), attributes.get('name')]) {
      const field = key === undefined ? undefined : KEYS[key.trim().toLowerCase()];
      if (field !== undefined && meta[field] === undefined) meta[field] = content;
    }
  }
  if (title !== undefined) meta.title = decodeEntities(title.slice(0, MAX_VALUE_CHARS));
  return meta;
}

/**
 * The character encoding a page declares in its first bytes (`<meta charset>` or the http-equiv
 * form), for when the Content-Type header names none.
 */
export function declaredCharset(start: string): string | undefined {
  const m = /<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)/i.exec(start);
  return m?.[1];
}
