/**
 * docs/integrations.md §9.4: class bodies are always strict, yet many Rocket.Chat scripts rely on sloppy
 * mode inside class methods (assigning undeclared variables, `this` in nested functions). So class
 * syntax — and only class syntax — is rewritten into a constructor function plus prototype
 * methods, whose bodies are copied verbatim and therefore run sloppy:
 *
 *   class Script { m(a) { body } }
 *   →  let Script = (function () { function Script() {} Object.defineProperty(Script.prototype, "m",
 *        { value: function (a) { body }, writable: true, configurable: true }); return Script; })();
 *
 * Line breaks are kept where they were, so line numbers in error stacks match the original script.
 * Handled: constructors, methods (async, generator, computed or quoted names), getters/setters,
 * static members, instance and static fields, class expressions, nested classes. Left native (and
 * so strict) rather than approximated: `extends`, private `#names`, static blocks, and anything the
 * member scan does not recognise.
 */
import { findClosing, tokenize, type Token } from './js-tokenizer.js';

/** Nested classes deeper than this are left native (they still work, in strict mode). */
const MAX_CLASS_NESTING = 16;

const FIELDS = '__sb_fields';
const KEY = '__sb_key';

/** `source` with its class syntax rewritten; the source itself when it cannot be tokenized. */
export function transpileClasses(source: string): string {
  const tokens = tokenize(source);
  if (tokens === undefined || !tokens.some((t) => t.type === 'name' && t.value === 'class')) return source;
  return new ClassRewriter(source, tokens).range(0, tokens.length, 0, source.length, 0);
}

interface Member {
  kind: 'constructor' | 'method' | 'get' | 'set' | 'field';
  isStatic: boolean;
  prefix: string; // "async ", "*", "async *": what precedes the method's name
  key: string | [open: number, close: number]; // a JS expression giving the property key, or a computed key's brackets
  first: number; // index of the member's first token
  params?: [open: number, close: number];
  body?: [open: number, close: number];
  init?: [first: number, end: number]; // a field's initializer tokens, end exclusive
  end: number; // index of the member's last token
}

interface ParsedClass {
  name: string | undefined;
  declaration: boolean;
  open: number;
  close: number;
  members: Member[];
}

const VALUE_END_PUNCT = new Set([')', ']', '}']);
const OPERATOR_NAMES = new Set(['in', 'instanceof', 'typeof', 'void', 'delete', 'new', 'return', 'throw', 'yield', 'await', 'case', 'else', 'do']);
// A field initializer continues on the next line when that line starts with one of these.
const CONTINUES = new Set([
  '.', '?.', '(', '[', '+', '-', '*', '/', '%', '**', ',', '?', ':', '=', '==', '===', '!=', '!==', '<', '>', '<=', '>=',
  '&&', '||', '??', '&', '|', '^', '<<', '>>', '>>>', '=>',
]);

class ClassRewriter {
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  private newlines(from: number, to: number): string {
    let n = 0;
    for (let i = from; i < to; i++) {
      const c = this.src.charCodeAt(i);
      // \r\n counts once; a lone \r, \u2028 and \u2029 are line breaks too
      if (c === 10 || c === 0x2028 || c === 0x2029 || (c === 13 && this.src.charCodeAt(i + 1) !== 10)) n++;
    }
    return '\n'.repeat(n);
  }

  /** The source from `srcStart` to `srcEnd` (tokens `from`…`to`), with its classes rewritten. */
  range(from: number, to: number, srcStart: number, srcEnd: number, depth: number): string {
    let out = '';
    let cursor = srcStart;
    for (let i = from; i < to; i++) {
      const t = this.tokens[i]!;
      if (t.type !== 'name' || t.value !== 'class' || depth >= MAX_CLASS_NESTING) continue;
      const parsed = this.parseClass(i, to);
      if (parsed === undefined) continue;
      out += this.src.slice(cursor, t.start) + this.emit(parsed, i, depth + 1);
      cursor = this.tokens[parsed.close]!.end;
      i = parsed.close;
    }
    return out + this.src.slice(cursor, srcEnd);
  }

  /** The source of tokens `first`…`endExclusive - 1`, with its classes rewritten. */
  private tokensText(first: number, endExclusive: number, depth: number): string {
    if (first >= endExclusive) return '';
    return this.range(first, endExclusive, this.tokens[first]!.start, this.tokens[endExclusive - 1]!.end, depth);
  }

  /** The text strictly between two tokens (e.g. a parameter list without its parentheses). */
  private between(open: number, close: number, depth: number): string {
    const inner = this.tokens[open]!.end;
    const outer = this.tokens[close]!.start;
    if (close === open + 1) return this.src.slice(inner, outer);
    return this.range(open + 1, close, inner, outer, depth);
  }

  private isPunct(i: number, value: string): boolean {
    const t = this.tokens[i];
    return t !== undefined && t.type === 'punct' && t.value === value;
  }

  private parseClass(at: number, limit: number): ParsedClass | undefined {
    const tokens = this.tokens;
    const prev = tokens[at - 1];
    if (prev && prev.type === 'punct' && (prev.value === '.' || prev.value === '?.')) return undefined;
    let j = at + 1;
    let name: string | undefined;
    const next = tokens[j];
    if (next?.type === 'name' && next.value !== 'extends') {
      if (next.value.includes('\\')) return undefined;
      name = next.value;
      j++;
    }
    if (!this.isPunct(j, '{')) return undefined; // `extends` or not a class at all
    const close = findClosing(tokens, j, limit);
    if (close < 0) return undefined;
    const members = this.parseMembers(j + 1, close);
    if (members === undefined) return undefined;
    const declaration =
      name !== undefined &&
      (prev === undefined ||
        (prev.type === 'punct' && (prev.value === ';' || prev.value === '{' || prev.value === '}')) ||
        (tokens[at]!.newlineBefore && endsValue(prev)));
    return { name, declaration, open: j, close, members };
  }

  private parseMembers(first: number, close: number): Member[] | undefined {
    const tokens = this.tokens;
    const members: Member[] = [];
    // A modifier word is a modifier only when something other than "(", "=", ";" or "}" follows.
    const modifierAt = (k: number, word: string) => {
      const t = tokens[k]!;
      const n = tokens[k + 1];
      return t.type === 'name' && t.value === word && n !== undefined && !(n.type === 'punct' && ['(', '=', ';', '}'].includes(n.value));
    };
    let k = first;
    while (k < close) {
      if (this.isPunct(k, ';')) {
        k++;
        continue;
      }
      const start = k;
      let isStatic = false;
      let isAsync = false;
      let isGenerator = false;
      let accessor: 'get' | 'set' | undefined;
      if (modifierAt(k, 'static')) {
        isStatic = true;
        k++;
        if (this.isPunct(k, '{')) return undefined; // static block
      }
      if (modifierAt(k, 'async') && !tokens[k + 1]!.newlineBefore) {
        isAsync = true;
        k++;
      }
      if (this.isPunct(k, '*')) {
        isGenerator = true;
        k++;
      }
      if (!isAsync && !isGenerator && (modifierAt(k, 'get') || modifierAt(k, 'set'))) {
        accessor = tokens[k]!.value as 'get' | 'set';
        k++;
      }
      const keyToken = tokens[k];
      if (keyToken === undefined || k >= close) return undefined;
      let key: Member['key'];
      let keyEnd = k;
      let plainName: string | undefined;
      if (keyToken.type === 'name') {
        if (keyToken.value.includes('\\')) return undefined;
        plainName = keyToken.value;
        key = JSON.stringify(keyToken.value);
      } else if (keyToken.type === 'string' || keyToken.type === 'number') {
        key = `(${keyToken.value})`;
      } else if (this.isPunct(k, '[')) {
        keyEnd = findClosing(tokens, k, close);
        if (keyEnd < 0) return undefined;
        key = [k, keyEnd];
      } else return undefined; // private names and anything unexpected
      k = keyEnd + 1;

      if (this.isPunct(k, '(')) {
        const paramsClose = findClosing(tokens, k, close);
        if (paramsClose < 0 || !this.isPunct(paramsClose + 1, '{')) return undefined;
        const bodyClose = findClosing(tokens, paramsClose + 1, close);
        if (bodyClose < 0) return undefined;
        const isConstructor = !isStatic && plainName === 'constructor' && keyToken.type === 'name';
        if (isConstructor && (accessor || isAsync || isGenerator)) return undefined;
        members.push({
          kind: isConstructor ? 'constructor' : (accessor ?? 'method'),
          isStatic,
          prefix: `${isAsync ? 'async ' : ''}${isGenerator ? '*' : ''}`,
          key,
          first: start,
          params: [k, paramsClose],
          body: [paramsClose + 1, bodyClose],
          end: bodyClose,
        });
        k = bodyClose + 1;
        continue;
      }
      // a field: `key;`, `key = initializer;` (semicolons optional)
      if (accessor || isAsync || isGenerator || typeof key !== 'string') return undefined;
      let end = k;
      let init: [number, number] | undefined;
      if (this.isPunct(k, '=')) {
        const initEnd = this.fieldEnd(k + 1, close);
        if (initEnd <= k + 1) return undefined;
        init = [k + 1, initEnd];
        end = initEnd;
      } else if (k < close && !this.isPunct(k, ';') && !tokens[k]!.newlineBefore) return undefined;
      members.push({ kind: 'field', isStatic, prefix: '', key, first: start, ...(init && { init }), end: end - 1 });
      k = end;
    }
    return members;
  }

  /** Where a field initializer starting at `first` ends (exclusive): ";", the class's "}", or ASI. */
  private fieldEnd(first: number, close: number): number {
    let k = first;
    while (k < close) {
      const t = this.tokens[k]!;
      if (t.type === 'punct' && (t.value === ';' || t.value === ',')) return k;
      if (k > first && t.newlineBefore && endsValue(this.tokens[k - 1]!) && !(t.type === 'punct' && CONTINUES.has(t.value))) return k;
      if (t.type === 'punct' && (t.value === '(' || t.value === '[' || t.value === '{')) {
        const c = findClosing(this.tokens, k, close);
        if (c < 0) return -1;
        k = c + 1;
      } else k++;
    }
    return k;
  }

  private emit(cls: ParsedClass, classToken: number, depth: number): string {
    const tokens = this.tokens;
    const name = cls.name ?? '__sb_class';
    const hasFields = cls.members.some((m) => m.kind === 'field' && !m.isStatic);
    const initFields = hasFields ? `for (var __sb_i = 0; __sb_i < ${FIELDS}.length; __sb_i++) ${FIELDS}[__sb_i].call(this);` : '';
    let out = `${cls.declaration ? `let ${name} = ` : ''}(function () {${this.newlines(tokens[classToken]!.start, tokens[cls.open]!.end)} var ${KEY};`;
    if (hasFields) out += ` var ${FIELDS} = [];`;
    if (!cls.members.some((m) => m.kind === 'constructor')) out += ` function ${name}() {${initFields}}`;

    let cursor = tokens[cls.open]!.end;
    for (const m of cls.members) {
      const target = m.isStatic ? name : `${name}.prototype`;
      const first = tokens[m.first]!;
      const key = typeof m.key === 'string' ? m.key : `(${this.between(m.key[0], m.key[1], depth)})`;
      out += this.newlines(cursor, first.start) + ' ';
      cursor = tokens[m.end]!.end;
      if (m.kind === 'field') {
        // newlines of the key and "=", then the initializer verbatim (its own line breaks included)
        const keyNl = this.newlines(first.start, m.init ? tokens[m.init[0]]!.start : cursor);
        const value = m.init ? this.tokensText(m.init[0], m.init[1], depth) : 'undefined';
        const descriptor = (v: string) => `{ value: ${v}, writable: true, enumerable: true, configurable: true }`;
        out += m.isStatic
          ? `Object.defineProperty(${name}, ${key}, ${descriptor(`(function () { return (${keyNl}${value}); }).call(${name})`)});`
          : `${FIELDS}.push(function () { Object.defineProperty(this, ${key}, ${descriptor(`(${keyNl}${value})`)}); });`;
        continue;
      }
      const [pOpen, pClose] = m.params!;
      const [bOpen, bClose] = m.body!;
      const head = this.newlines(first.start, tokens[pOpen]!.start);
      const params = this.between(pOpen, pClose, depth);
      const gap = this.newlines(tokens[pClose]!.end, tokens[bOpen]!.start);
      const body = this.between(bOpen, bClose, depth);
      // Methods are written as object-literal methods so they keep their name (stack traces read
      // "at process_incoming_request") without a named function expression's self-binding.
      const method = `${m.prefix}[${KEY}]${head}(${params})${gap}{${body}}`;
      if (m.kind === 'constructor') {
        out += `function ${name}${head}(${params})${gap}{${initFields}${body}}`;
      } else if (m.kind === 'get' || m.kind === 'set') {
        const fn = `Object.getOwnPropertyDescriptor({ ${m.kind} ${method} }, ${KEY}).${m.kind}`;
        out += `Object.defineProperty(${target}, ${KEY} = ${key}, { ${m.kind}: ${fn}, configurable: true });`;
      } else {
        out += `Object.defineProperty(${target}, ${KEY} = ${key}, { value: { ${method} }[${KEY}], writable: true, configurable: true });`;
      }
    }
    out += this.newlines(cursor, tokens[cls.close]!.start);
    return `${out} return ${name}; })()${cls.declaration ? ';' : ''}`;
  }
}

function endsValue(t: Token): boolean {
  switch (t.type) {
    case 'name':
      return !OPERATOR_NAMES.has(t.value);
    case 'punct':
      return VALUE_END_PUNCT.has(t.value);
    case 'template':
      return t.value.endsWith('`');
    default:
      return true;
  }
}
