/**
 * The `s` global of docs/integrations.md §9.3: a subset of the underscore.string library (3.3.x
 * semantics), as JavaScript source evaluated inside each sandbox. It is guest code like the script
 * itself — nothing here runs in, or can reach, the host.
 *
 * Offered: trim ltrim rtrim strip lstrip rstrip clean capitalize decapitalize startsWith endsWith
 * include contains count words lines chars chop reverse repeat replaceAll strLeft strRight
 * strLeftBack strRightBack truncate prune escapeHTML unescapeHTML stripTags escapeRegExp
 * cleanDiacritics slugify dasherize underscored camelize classify humanize titleize swapCase
 * isBlank numberFormat pad lpad rpad lrpad rjust ljust center surround quote q unquote splice
 * insert join toNumber toBoolean toBool levenshtein toSentence sprintf vsprintf, and chaining:
 * `s("x").capitalize().value()`.
 */
export const UNDERSCORE_STRING_SOURCE = String.raw`(function () {
'use strict';
function str(v) { return v == null ? '' : String(v); }
function toPositive(n) { return n < 0 ? 0 : +n || 0; }
function strRepeat(v, qty) { if (qty < 1) return ''; var out = ''; while (qty > 0) { if (qty & 1) out += v; qty >>= 1; v += v; } return out; }
function escapeRegExp(v) { return str(v).replace(/([.*+?^=!:\${}()|[\]\/\\])/g, '\\$1'); }
function charsPattern(characters) {
  if (characters == null) return '\\s';
  if (characters.source) return characters.source;
  return '[' + escapeRegExp(characters) + ']';
}
var s = function (value) { return new Wrapper(value); };
s.trim = function (v, characters) {
  v = str(v);
  if (!characters) return v.trim();
  var c = charsPattern(characters);
  return v.replace(new RegExp('^' + c + '+|' + c + '+$', 'g'), '');
};
s.ltrim = function (v, characters) {
  v = str(v);
  if (!characters) return v.replace(/^\s+/, '');
  return v.replace(new RegExp('^' + charsPattern(characters) + '+'), '');
};
s.rtrim = function (v, characters) {
  v = str(v);
  if (!characters) return v.replace(/\s+$/, '');
  return v.replace(new RegExp(charsPattern(characters) + '+$'), '');
};
s.clean = function (v) { return s.trim(v).replace(/\s\s+/g, ' '); };
s.capitalize = function (v, lowercaseRest) {
  v = str(v);
  var rest = lowercaseRest === true ? v.slice(1).toLowerCase() : v.slice(1);
  return v.charAt(0).toUpperCase() + rest;
};
s.decapitalize = function (v) { v = str(v); return v.charAt(0).toLowerCase() + v.slice(1); };
s.startsWith = function (v, starts, position) {
  v = str(v); starts = '' + starts;
  position = position == null ? 0 : Math.min(toPositive(position), v.length);
  return v.lastIndexOf(starts, position) === position;
};
s.endsWith = function (v, ends, position) {
  v = str(v); ends = '' + ends;
  position = position === undefined ? v.length - ends.length : Math.min(toPositive(position), v.length) - ends.length;
  return position >= 0 && v.indexOf(ends, position) === position;
};
s.include = function (v, needle) { if (needle === '') return true; return str(v).indexOf(needle) !== -1; };
s.count = function (v, substr) {
  v = str(v); substr = str(substr);
  if (v.length === 0 || substr.length === 0) return 0;
  return v.split(substr).length - 1;
};
s.isBlank = function (v) { return /^\s*$/.test(str(v)); };
s.words = function (v, delimiter) {
  if (s.isBlank(v)) return [];
  return s.trim(v, delimiter).split(delimiter || /\s+/);
};
s.lines = function (v) { if (v == null) return []; return String(v).split(/\r\n?|\n/); };
s.chars = function (v) { return str(v).split(''); };
s.chop = function (v, step) {
  if (v == null) return [];
  v = String(v); step = ~~step;
  return step > 0 ? v.match(new RegExp('.{1,' + step + '}', 'g')) || [] : [v];
};
s.reverse = function (v) { return s.chars(v).reverse().join(''); };
s.repeat = function (v, qty, separator) {
  v = str(v); qty = ~~qty;
  if (separator == null) return strRepeat(v, qty);
  var parts = [];
  for (var i = 0; i < qty; i++) parts.push(v);
  return parts.join(separator);
};
s.replaceAll = function (v, find, replace, ignorecase) {
  var reg = new RegExp(escapeRegExp(find), ignorecase === true ? 'gi' : 'g');
  return str(v).replace(reg, replace);
};
s.strLeft = function (v, sep) { v = str(v); sep = str(sep); var pos = !sep ? -1 : v.indexOf(sep); return pos !== -1 ? v.slice(0, pos) : v; };
s.strRight = function (v, sep) { v = str(v); sep = str(sep); var pos = !sep ? -1 : v.indexOf(sep); return pos !== -1 ? v.slice(pos + sep.length) : v; };
s.strLeftBack = function (v, sep) { v = str(v); sep = str(sep); var pos = v.lastIndexOf(sep); return pos !== -1 ? v.slice(0, pos) : v; };
s.strRightBack = function (v, sep) { v = str(v); sep = str(sep); var pos = !sep ? -1 : v.lastIndexOf(sep); return pos !== -1 ? v.slice(pos + sep.length) : v; };
s.truncate = function (v, length, truncateStr) {
  v = str(v); truncateStr = truncateStr || '...'; length = ~~length;
  return v.length > length ? v.slice(0, length) + truncateStr : v;
};
s.prune = function (v, length, pruneStr) {
  v = str(v); length = ~~length; pruneStr = pruneStr != null ? String(pruneStr) : '...';
  if (v.length <= length) return v;
  var tmpl = function (c) { return c.toUpperCase() !== c.toLowerCase() ? 'A' : ' '; };
  var template = v.slice(0, length + 1).replace(/.(?=\W*\w*$)/g, tmpl);
  if (template.slice(template.length - 2).match(/\w\w/)) template = template.replace(/\s*\S+$/, '');
  else template = s.rtrim(template.slice(0, template.length - 1));
  return (template + pruneStr).length > v.length ? v : v.slice(0, template.length) + pruneStr;
};
var escapeChars = { '\u00a2': 'cent', '\u00a3': 'pound', '\u00a5': 'yen', '\u20ac': 'euro', '\u00a9': 'copy', '\u00ae': 'reg', '<': 'lt', '>': 'gt', '"': 'quot', '&': 'amp', "'": '#39' };
var htmlEntities = { nbsp: ' ', cent: '\u00a2', pound: '\u00a3', yen: '\u00a5', euro: '\u20ac', copy: '\u00a9', reg: '\u00ae', lt: '<', gt: '>', quot: '"', amp: '&', apos: "'" };
s.escapeHTML = function (v) { return str(v).replace(/[\u00a2\u00a3\u00a5\u20ac\u00a9\u00ae<>"&']/g, function (m) { return '&' + escapeChars[m] + ';'; }); };
s.unescapeHTML = function (v) {
  return str(v).replace(/&([^;]{1,10});/g, function (entity, code) {
    var m;
    if (Object.prototype.hasOwnProperty.call(htmlEntities, code)) return htmlEntities[code];
    if ((m = code.match(/^#x([\da-fA-F]+)$/))) return String.fromCharCode(parseInt(m[1], 16));
    if ((m = code.match(/^#(\d+)$/))) return String.fromCharCode(~~m[1]);
    return entity;
  });
};
s.stripTags = function (v) { return str(v).replace(/<\/?[^>]+>/g, ''); };
s.escapeRegExp = escapeRegExp;
var diacriticsFrom = '\u0105\u00e0\u00e1\u00e4\u00e2\u00e3\u00e5\u00e6\u0103\u0107\u010d\u0109\u0119\u00e8\u00e9\u00eb\u00ea\u011d\u0125\u00ec\u00ed\u00ef\u00ee\u0135\u0142\u013e\u0144\u0148\u00f2\u00f3\u00f6\u0151\u00f4\u00f5\u00f0\u00f8\u015b\u0219\u015f\u0161\u015d\u0165\u021b\u0163\u016d\u00f9\u00fa\u00fc\u0171\u00fb\u00f1\u00ff\u00fd\u00e7\u017c\u017a\u017e';
var diacriticsTo = 'aaaaaaaaaccceeeeeghiiiijllnnoooooooossssstttuuuuuunyyczzz';
diacriticsFrom += diacriticsFrom.toUpperCase();
diacriticsTo += diacriticsTo.toUpperCase();
s.cleanDiacritics = function (v) {
  return str(v).replace(/.{1}/g, function (c) {
    if (c === '\u00df') return 'ss';
    var i = diacriticsFrom.indexOf(c);
    return i === -1 ? c : diacriticsTo.charAt(i);
  });
};
s.dasherize = function (v) { return s.trim(v).replace(/([A-Z])/g, '-$1').replace(/[-_\s]+/g, '-').toLowerCase(); };
s.slugify = function (v) { return s.trim(s.dasherize(s.cleanDiacritics(v).replace(/[^\w\s-]/g, '-').toLowerCase()), '-'); };
s.underscored = function (v) { return s.trim(v).replace(/([a-z\d])([A-Z]+)/g, '$1_$2').replace(/[-\s]+/g, '_').toLowerCase(); };
s.camelize = function (v, decapitalize) {
  v = s.trim(v).replace(/[-_\s]+(.)?/g, function (m, c) { return c ? c.toUpperCase() : ''; });
  return decapitalize === true ? s.decapitalize(v) : v;
};
s.classify = function (v) { return s.capitalize(s.camelize(str(v).replace(/[\W_]/g, ' ')).replace(/\s/g, '')); };
s.humanize = function (v) { return s.capitalize(s.trim(s.underscored(v).replace(/_id$/, '').replace(/_/g, ' '))); };
s.titleize = function (v) { return str(v).toLowerCase().replace(/(?:^|\s|-)\S/g, function (c) { return c.toUpperCase(); }); };
s.swapCase = function (v) { return str(v).replace(/\S/g, function (c) { return c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase(); }); };
s.numberFormat = function (number, dec, dsep, tsep) {
  if (isNaN(number) || number == null) return '';
  var fixed = Number(number).toFixed(~~dec);
  tsep = typeof tsep == 'string' ? tsep : ',';
  var parts = fixed.split('.');
  var decimals = parts[1] ? (dsep || '.') + parts[1] : '';
  return parts[0].replace(/(\d)(?=(?:\d{3})+$)/g, '$1' + tsep) + decimals;
};
s.pad = function (v, length, padStr, type) {
  v = str(v); length = ~~length;
  if (!padStr) padStr = ' ';
  else if (padStr.length > 1) padStr = padStr.charAt(0);
  var padlen = length - v.length;
  switch (type) {
    case 'right': return v + strRepeat(padStr, padlen);
    case 'both': return strRepeat(padStr, Math.ceil(padlen / 2)) + v + strRepeat(padStr, Math.floor(padlen / 2));
    default: return strRepeat(padStr, padlen) + v;
  }
};
s.lpad = function (v, length, padStr) { return s.pad(v, length, padStr); };
s.rpad = function (v, length, padStr) { return s.pad(v, length, padStr, 'right'); };
s.lrpad = function (v, length, padStr) { return s.pad(v, length, padStr, 'both'); };
s.surround = function (v, wrapper) { return [wrapper, v, wrapper].join(''); };
s.quote = function (v, quoteChar) { return s.surround(v, quoteChar || '"'); };
s.unquote = function (v, quoteChar) {
  quoteChar = quoteChar || '"';
  if (v[0] === quoteChar && v[v.length - 1] === quoteChar) return v.slice(1, v.length - 1);
  return v;
};
s.splice = function (v, i, howmany, substr) { var arr = s.chars(v); arr.splice(~~i, ~~howmany, substr); return arr.join(''); };
s.insert = function (v, i, substr) { return s.splice(v, i, 0, substr); };
s.join = function () { var args = Array.prototype.slice.call(arguments); var separator = args.shift(); return args.join(str(separator)); };
s.toNumber = function (num, precision) {
  if (num == null) return 0;
  var factor = Math.pow(10, isFinite(precision) ? precision : 0);
  return Math.round(num * factor) / factor;
};
s.toBoolean = function (v, trueValues, falseValues) {
  if (typeof v === 'number') v = '' + v;
  if (typeof v !== 'string') return !!v;
  v = s.trim(v);
  var matches = function (list) {
    for (var i = 0; i < list.length; i++) {
      var m = list[i];
      if (m === v || (m instanceof RegExp && m.test(v))) return true;
    }
    return false;
  };
  if (matches(trueValues || ['true', '1'])) return true;
  if (matches(falseValues || ['false', '0'])) return false;
  return undefined;
};
s.levenshtein = function (a, b) {
  a = str(a); b = str(b);
  if (a === b) return 0;
  if (!a || !b) return Math.max(a.length, b.length);
  var prev = [];
  for (var j = 0; j <= b.length; j++) prev[j] = j;
  for (var i = 1; i <= a.length; i++) {
    var cur = [i];
    for (j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
};
s.toSentence = function (array, separator, lastSeparator, serial) {
  separator = separator || ', '; lastSeparator = lastSeparator || ' and ';
  var a = array.slice(), lastMember = a.pop();
  if (array.length > 2 && serial) lastSeparator = s.rtrim(separator) + lastSeparator;
  return a.length ? a.join(separator) + lastSeparator + lastMember : lastMember;
};
// sprintf: %% and %[argnum$][flags][width][.precision]type, types b c d i e f o s x X j
s.vsprintf = function (fmt, argv) {
  var next = 0;
  return str(fmt).replace(/%(?:(\d+)\$)?([-+ 0]*)(\d+)?(?:\.(\d+))?([%bcdieEfosxXj])/g, function (m, argnum, flags, width, precision, type) {
    if (type === '%') return '%';
    var arg = argnum ? argv[argnum - 1] : argv[next++];
    var out;
    var numeric = false;
    switch (type) {
      case 'b': out = (parseInt(arg, 10) >>> 0).toString(2); break;
      case 'c': out = String.fromCharCode(parseInt(arg, 10)); break;
      case 'd': case 'i': out = String(parseInt(arg, 10)); numeric = true; break;
      case 'e': case 'E': out = precision ? parseFloat(arg).toExponential(+precision) : parseFloat(arg).toExponential(); if (type === 'E') out = out.toUpperCase(); numeric = true; break;
      case 'f': out = precision ? parseFloat(arg).toFixed(+precision) : String(parseFloat(arg)); numeric = true; break;
      case 'o': out = (parseInt(arg, 10) >>> 0).toString(8); break;
      case 'x': out = (parseInt(arg, 10) >>> 0).toString(16); break;
      case 'X': out = (parseInt(arg, 10) >>> 0).toString(16).toUpperCase(); break;
      case 'j': out = JSON.stringify(arg); break;
      default: out = str(arg); if (precision) out = out.slice(0, +precision);
    }
    if (numeric && flags.indexOf('+') !== -1 && out.charAt(0) !== '-') out = '+' + out;
    if (width && out.length < +width) {
      if (flags.indexOf('-') !== -1) out = out + strRepeat(' ', width - out.length);
      else if (flags.indexOf('0') !== -1 && numeric) {
        var sign = /^[-+]/.test(out) ? out.charAt(0) : '';
        out = sign + strRepeat('0', width - out.length) + out.slice(sign.length);
      } else out = strRepeat(' ', width - out.length) + out;
    }
    return out;
  });
};
s.sprintf = function (fmt) { return s.vsprintf(fmt, Array.prototype.slice.call(arguments, 1)); };
s.strip = s.trim; s.lstrip = s.ltrim; s.rstrip = s.rtrim;
s.contains = s.include; s.q = s.quote; s.toBool = s.toBoolean; s.camelcase = s.camelize;
s.center = s.lrpad; s.rjust = s.lpad; s.ljust = s.rpad;

function Wrapper(value) { this._wrapped = value; }
Wrapper.prototype.value = function () { return this._wrapped; };
Wrapper.prototype.toString = function () { return str(this._wrapped); };
Wrapper.prototype.toJSON = function () { return this._wrapped; };
Object.keys(s).forEach(function (name) {
  var fn = s[name];
  Wrapper.prototype[name] = function () {
    var result = fn.apply(null, [this._wrapped].concat(Array.prototype.slice.call(arguments)));
    return typeof result === 'string' ? new Wrapper(result) : result;
  };
});
Object.defineProperty(globalThis, 's', { value: s, writable: true, configurable: true });
})();`;
