/**
 * A small JavaScript tokenizer, just good enough to find class syntax in integration scripts
 * without being fooled by strings, template literals, comments or regular-expression literals.
 * It is not a parser: it never decides whether a program is valid (QuickJS does that), and when it
 * cannot make sense of the source (an unterminated literal, say) it gives up and returns undefined,
 * so that the caller leaves the source untouched.
 *
 * Iterative throughout — no recursion — so pathological nesting cannot overflow the host's stack.
 */

export type TokenType = 'name' | 'private' | 'number' | 'string' | 'template' | 'regex' | 'punct';

export interface Token {
  type: TokenType;
  /** the token's source text (for templates: one chunk, from "`" or "}" to "${" or "`") */
  value: string;
  start: number;
  end: number;
  /** a line terminator (or a comment holding one) separates this token from the previous one */
  newlineBefore: boolean;
}

const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<', '>>', '**',
  '{', '}', '(', ')', '[', ']', ';', ',', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^', '!', '~', '?', ':', '=', '.', '@',
];

// After these names an expression starts, so "/" opens a regular expression rather than dividing.
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'extends',
]);

const ID_START = /[\p{ID_Start}$_\\]/u;
const ID_PART = /[\p{ID_Continue}$_\\\u200c\u200d]/u;
const NUMBER = /(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)n?/y;
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;
const WHITESPACE = /[\t\v\f \u00a0\ufeff\p{Zs}]/u;

const isLineTerminator = (c: string) => c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';

/** True when a "/" after `prev` starts a regular expression. */
function regexAllowedAfter(prev: Token | undefined): boolean {
  if (prev === undefined) return true;
  switch (prev.type) {
    case 'name':
      return KEYWORDS_BEFORE_EXPRESSION.has(prev.value);
    case 'punct':
      // ")" and "]" end an operand; "}" usually ends a block, after which an expression may start.
      return prev.value !== ')' && prev.value !== ']';
    default:
      return false;
  }
}

/** The tokens of `src`, or undefined when it contains something this tokenizer cannot read. */
export function tokenize(src: string): Token[] | undefined {
  const tokens: Token[] = [];
  // One entry per open "{": false for a block/object brace, true for a template's "${".
  const braces: boolean[] = [];
  let i = 0;
  let newlineBefore = false;
  const push = (type: TokenType, start: number, end: number) => {
    tokens.push({ type, value: src.slice(start, end), start, end, newlineBefore });
    newlineBefore = false;
  };

  /** Scans a template chunk starting at `start` (on "`" or "}"); returns false if unterminated. */
  const templateChunk = (start: number): boolean => {
    let j = start + 1;
    while (j < src.length) {
      const c = src[j];
      if (c === '\\') j += 2;
      else if (c === '`') {
        push('template', start, j + 1);
        i = j + 1;
        return true;
      } else if (c === '$' && src[j + 1] === '{') {
        push('template', start, j + 2);
        braces.push(true);
        i = j + 2;
        return true;
      } else j++;
    }
    return false;
  };

  if (src.startsWith('#!')) {
    while (i < src.length && !isLineTerminator(src[i]!)) i++;
  }

  while (i < src.length) {
    const c = src[i]!;
    if (isLineTerminator(c)) {
      newlineBefore = true;
      i++;
      continue;
    }
    if (WHITESPACE.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && !isLineTerminator(src[i]!)) i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      if (close < 0) return undefined;
      if (LINE_TERMINATOR.test(src.slice(i, close))) newlineBefore = true;
      i = close + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') j += src[j + 1] === '\r' && src[j + 2] === '\n' ? 3 : 2;
        else if (src[j] === '\n' || src[j] === '\r') return undefined;
        else j++;
      }
      if (j >= src.length) return undefined;
      push('string', i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '`') {
      if (!templateChunk(i)) return undefined;
      continue;
    }
    if (c === '}' && braces[braces.length - 1] === true) {
      braces.pop();
      if (!templateChunk(i)) return undefined;
      continue;
    }
    if (c === '#' && i + 1 < src.length && ID_START.test(src[i + 1]!)) {
      let j = i + 2;
      while (j < src.length && ID_PART.test(src[j]!)) j++;
      push('private', i, j);
      i = j;
      continue;
    }
    if (ID_START.test(c)) {
      let j = i;
      while (j < src.length) {
        if (src[j] === '\\') {
          // \uXXXX or \u{X…}: rare in names, only skipped over here (the transpiler leaves such classes alone)
          if (src[j + 1] !== 'u') return undefined;
          const close = src[j + 2] === '{' ? src.indexOf('}', j) : j + 5;
          if (close < 0 || close >= src.length) return undefined;
          j = close + 1;
        } else if (ID_PART.test(src[j]!)) j++;
        else break;
      }
      push('name', i, j);
      i = j;
      continue;
    }
    if ((c >= '0' && c <= '9') || (c === '.' && src[i + 1]! >= '0' && src[i + 1]! <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      const end = m ? i + m[0].length : i + 1;
      push('number', i, end);
      i = end;
      continue;
    }
    if (c === '/' && regexAllowedAfter(tokens[tokens.length - 1])) {
      let j = i + 1;
      let inClass = false;
      for (;;) {
        if (j >= src.length || isLineTerminator(src[j]!)) return undefined;
        const d = src[j];
        if (d === '\\') j += 2;
        else {
          if (d === '[') inClass = true;
          else if (d === ']') inClass = false;
          else if (d === '/' && !inClass) break;
          j++;
        }
      }
      j++;
      while (j < src.length && ID_PART.test(src[j]!)) j++;
      push('regex', i, j);
      i = j;
      continue;
    }
    const punct = PUNCTUATORS.find((p) => src.startsWith(p, i));
    if (punct === undefined) return undefined;
    if (punct === '{') braces.push(false);
    else if (punct === '}') braces.pop();
    push('punct', i, i + punct.length);
    i += punct.length;
  }
  return tokens;
}

/**
 * The index of the token closing the bracket opened at `open` ("(", "[" or "{"), searching no
 * further than `limit` (exclusive); -1 if the brackets do not balance.
 */
export function findClosing(tokens: readonly Token[], open: number, limit: number = tokens.length): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let k = open; k < limit; k++) {
    const t = tokens[k]!;
    if (t.type !== 'punct') continue;
    const close = pairs[t.value];
    if (close !== undefined) stack.push(close);
    else if (t.value === ')' || t.value === ']' || t.value === '}') {
      if (stack.pop() !== t.value) return -1;
      if (stack.length === 0) return k;
    }
  }
  return -1;
}
