/**
 * What a failed schema validation means, once per field: the validator's raw list says a union of
 * constants wrong as "must be equal to constant" once per constant and then "must match a schema in
 * anyOf", and a union of object shapes wrong in every shape at once. `explainValidation` rewrites
 * that list before any surface words it (`/v1`'s ErrorBody, Rocket.Chat's `invalid-params`, the API
 * addon's brackets):
 *
 * - a union whose members are all constants (TypeBox `Union` of `Literal`s, `enum`, `null`) is one
 *   error at its field: `must be A, B or C`;
 * - a union of shapes is judged by the member the value is meant for — the one whose discriminator
 *   (a property every member pins with `const`, `enum` or `pattern`, such as `type`) or whose JSON
 *   type the value has — and reports that member's errors only; when the value fits none, one error
 *   says what it must be (`type: must be webhook-incoming or webhook-outgoing`, `must be an integer or
 *   null`), and the union's own message is kept after it, marked `redundant` (Rocket.Chat's clients
 *   see upstream's `must match exactly one schema in oneOf` there; `/v1` leaves it out);
 * - `enum` and `const` say their values, a list of types says `must be string or null`;
 * - the same message twice at one field is said once.
 *
 * It reads the schema and the value each error carries, so validators are compiled `verbose`
 * (validation.ts). An error without them is passed through as it is.
 */

export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  /** verbose: the keyword's value (a union's members) */
  schema?: unknown;
  /** verbose: the schema holding the keyword */
  parentSchema?: unknown;
  /** verbose: the value that failed */
  data?: unknown;
  /** set by explainValidation on a union's own message kept after the error that explains it */
  redundant?: boolean;
}

type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `must be A`, `must be A or B`, `must be A, B or C`. */
export function mustBe(choices: readonly string[]): string {
  if (choices.length <= 1) return `must be ${choices[0] ?? 'something else'}`;
  return `must be ${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
}

/** A constant as a person reads it: strings bare, everything else as JSON. */
const shown = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** `/participantIds/1` → `participantIds[1]`, `/a/b` → `a.b`: the field notation of every error. */
export function fieldName(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The property an error is about, below its instancePath: the missing or the extra one. */
export function childProperty(e: AjvError): string | undefined {
  if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') return e.params.missingProperty;
  if (e.keyword === 'additionalProperties' && typeof e.params.additionalProperty === 'string') return e.params.additionalProperty;
  return undefined;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function typeFits(type: unknown, v: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => {
    switch (t) {
      case 'string':
        return typeof v === 'string';
      case 'integer':
        return typeof v === 'number' && Number.isInteger(v);
      case 'number':
        return typeof v === 'number';
      case 'boolean':
        return typeof v === 'boolean';
      case 'null':
        return v === null;
      case 'array':
        return Array.isArray(v);
      case 'object':
        return isObject(v);
      default:
        return true;
    }
  });
}

function same(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && JSON.stringify(a) === JSON.stringify(b));
}

/** The constants a member allows, when it allows only constants (`const`, `enum`, `type: 'null'`, a union of those). */
function constantsOf(s: unknown): unknown[] | undefined {
  if (!isObject(s)) return undefined;
  if ('const' in s) return [s.const];
  if (Array.isArray(s.enum)) return s.enum;
  if (s.type === 'null') return [null];
  const union = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (union && union.length > 0) {
    const each = union.map(constantsOf);
    if (each.every((c) => c !== undefined)) return each.flat();
  }
  return undefined;
}

/** Whether a discriminator's schema admits `v` (its constants, its pattern, its type). */
function pins(s: Schema, v: unknown): boolean {
  const constants = constantsOf(s);
  if (constants) return constants.some((c) => same(c, v));
  if (v === undefined) return false;
  if (s.type !== undefined && !typeFits(s.type, v)) return false;
  if (typeof s.pattern === 'string') {
    try {
      return typeof v === 'string' && new RegExp(s.pattern, 'u').test(v);
    } catch {
      return true;
    }
  }
  return true;
}

/** What a discriminator's schema asks for, in words. */
function pinnedWords(s: Schema): string[] {
  const constants = constantsOf(s);
  if (constants) return constants.map(shown);
  if (typeof s.pattern === 'string') return [s.pattern.replace(/^\^|\$$/g, '')];
  return [];
}

/** The property every member pins (with const, enum or pattern), when the members are object shapes. */
function discriminatorOf(members: Schema[]): string | undefined {
  const first = members[0]?.properties;
  if (members.length < 2 || !isObject(first)) return undefined;
  return Object.keys(first).find((name) =>
    members.every((m) => {
      const p = isObject(m.properties) ? m.properties[name] : undefined;
      return isObject(p) && (constantsOf(p) !== undefined || typeof p.pattern === 'string');
    }),
  );
}

/** Whether the value is of the kind this member is about: its constant, its JSON type, its discriminator. */
function meantFor(member: Schema, value: unknown, discriminator: string | undefined): boolean {
  const constants = constantsOf(member);
  if (constants) return constants.some((c) => same(c, value));
  if (member.type !== undefined && !typeFits(member.type, value)) return false;
  if (discriminator !== undefined && isObject(value) && isObject(member.properties)) {
    const p = member.properties[discriminator];
    if (isObject(p)) return pins(p, value[discriminator]);
  }
  return true;
}

/** Words for a member the value is not of: its constants, else its type; undefined when it has neither. */
function memberWords(member: Schema): string[] | undefined {
  const constants = constantsOf(member);
  if (constants) return constants.map(shown);
  const types = Array.isArray(member.type) ? member.type : member.type === undefined ? [] : [member.type];
  const words = types.map((t) => TYPE_WORDS[String(t)]).filter((w): w is string => w !== undefined);
  return words.length > 0 && words.length === types.length ? words : undefined;
}

const within = (path: string, parent: string) => path === parent || path.startsWith(`${parent}/`);

/** The union error's list rewritten: its members' errors replaced by what the value was meant to be. */
function explainUnion(list: AjvError[], u: AjvError): AjvError[] {
  if (!(u.schema as unknown[]).every(isObject)) return list;
  const members = u.schema as Schema[];
  const inMember = (e: AjvError, i?: number) =>
    e !== u && e.schemaPath.startsWith(i === undefined ? `${u.schemaPath}/` : `${u.schemaPath}/${i}/`) && within(e.instancePath, u.instancePath);
  const rest = list.filter((e) => e !== u && !inMember(e));
  const at = list.indexOf(u);
  const insert = (replacement: AjvError[]) => {
    // In the union's place: after what came before it that it did not replace.
    const before = list.slice(0, at).filter((e) => !inMember(e)).length;
    return [...rest.slice(0, before), ...replacement, ...rest.slice(before)];
  };
  const one = (message: string, extra: Partial<AjvError> = {}): AjvError => ({ ...u, message, ...extra, schemaPath: u.schemaPath });

  const constants = members.map(constantsOf);
  if (members.length > 0 && constants.every((c) => c !== undefined)) {
    return insert([one(mustBe(constants.flat().map(shown)))]);
  }

  const discriminator = discriminatorOf(members);
  const meant = members.map((m, i) => (meantFor(m, u.data, discriminator) ? i : -1)).filter((i) => i >= 0);
  if (meant.length > 0 && meant.length < members.length) {
    // The members the value is meant for, and only theirs.
    return insert(list.filter((e) => meant.some((i) => inMember(e, i))));
  }
  if (meant.length === 0) {
    const redundant = { ...u, redundant: true };
    if (discriminator !== undefined && isObject(u.data)) {
      if (u.data[discriminator] === undefined) {
        return insert([one(`must have required property '${discriminator}'`, { keyword: 'required', params: { missingProperty: discriminator } }), redundant]);
      }
      const words = members.flatMap((m) => pinnedWords((m.properties as Schema)[discriminator] as Schema));
      const where = `${u.instancePath}/${discriminator.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      return insert([one(mustBe([...new Set(words)]), { instancePath: where, data: u.data[discriminator] }), redundant]);
    }
    const words = members.map(memberWords);
    if (words.every((w) => w !== undefined)) return insert([one(mustBe([...new Set(words.flat())])), redundant]);
  }
  // Meant for every member, or for none that can be described: the members' own errors, the union's message dropped.
  const inner = list.filter((e) => inMember(e));
  return inner.length > 0 ? insert(inner) : list;
}

/** The errors of one failed validation, rewritten to say each problem once and precisely (see above). */
export function explainValidation(errors: readonly AjvError[]): AjvError[] {
  let list = errors.map((e) => ({ ...e }));
  const unions = list
    .filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && Array.isArray(e.schema) && !e.params.passingSchemas)
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  // Innermost first: an outer union then sees the inner one's single error in its member.
  for (const u of unions) if (list.includes(u)) list = explainUnion(list, u);

  list = list.map((e) => {
    if (e.redundant) return e;
    if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues)) return { ...e, message: mustBe(e.params.allowedValues.map(shown)) };
    if (e.keyword === 'const' && 'allowedValue' in e.params) return { ...e, message: mustBe([shown(e.params.allowedValue)]) };
    // `type: ['string', 'null']` fails as "must be string,null".
    const types = Array.isArray(e.params.type) ? e.params.type.map(String) : typeof e.params.type === 'string' ? e.params.type.split(',') : [];
    if (e.keyword === 'type' && types.length > 1) return { ...e, message: mustBe(types) };
    return e;
  });

  const seen = new Set<string>();
  return list.filter((e) => {
    const key = `${fieldName(e.instancePath, childProperty(e))}\n${e.message ?? e.keyword}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
