/**
 * The SSRF policy as pure rules (docs/delivery.md §9): address classification for IPv4 and IPv6,
 * IPv4-mapped addresses, allow and deny lists, environment loading and the save-time URL check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAddress, checkHostName, outboundPolicy, parseHostList } from '../../src/domain/outbound-policy.js';
import { loadOutboundPolicy } from '../../src/config.js';
import { checkUrlSyntax } from '../../src/domain/outbound-urls.js';

const closed = outboundPolicy();
const everythingAllowed = outboundPolicy({
  allowLoopback: true,
  allowPrivateNetworks: true,
  allowSelfSignedCertificates: true,
  allowedHosts: ['0.0.0.0/0', '::/0', '169.254.169.254', 'metadata', 'metadata.google.internal'],
});

const reason = (ip: string, policy = closed, host?: string) => {
  const v = checkAddress(ip, policy, host);
  return v.allowed ? 'allowed' : v.reason;
};

test('always-blocked ranges (§9.4) stay blocked with every allowance on', () => {
  const alwaysBlocked = [
    '0.0.0.0',
    '0.255.255.255',
    '169.254.169.254',
    '169.254.170.2',
    '169.254.0.1',
    '100.100.100.200',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    'fe80::1',
    'febf:ffff::1',
    'fe80::1%eth0',
    'fd00:ec2::254',
    'ff02::1',
    'ff00::',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::ffff:0.0.0.0',
    '64:ff9b::a9fe:a9fe', // NAT64 of 169.254.169.254
  ];
  for (const ip of alwaysBlocked) {
    assert.equal(reason(ip, closed), 'always-blocked', `${ip} with the default policy`);
    assert.equal(reason(ip, everythingAllowed), 'always-blocked', `${ip} with every allowance`);
  }
  // neighbours of the single-address entries are merely private or public
  assert.equal(reason('100.100.100.201'), 'private-network');
  assert.equal(reason('fd00:ec2::253'), 'private-network');
  assert.equal(reason('1.0.0.0'), 'allowed');
  assert.equal(reason('223.255.255.255'), 'allowed');
  assert.equal(reason('169.253.255.255'), 'allowed');
  assert.equal(reason('fec0::1'), 'allowed'); // just past fe80::/10
  assert.equal(reason('::2'), 'allowed'); // ::/128 is one address
});

test('loopback is blocked unless allowLoopback, in every spelling', () => {
  for (const ip of ['127.0.0.1', '127.255.255.254', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:0001', '[::1]']) {
    assert.equal(reason(ip), 'loopback', ip);
    assert.equal(reason(ip, outboundPolicy({ allowLoopback: true })), 'allowed', ip);
    assert.equal(reason(ip, outboundPolicy({ allowPrivateNetworks: true })), 'loopback', `${ip}: private networks do not include loopback`);
  }
  assert.equal(reason('::2'), 'allowed');
});

test('private networks are blocked unless allowPrivateNetworks', () => {
  const edges: Array<[string, boolean]> = [
    ['10.0.0.0', true],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['172.15.255.255', false],
    ['172.16.0.0', true],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    ['192.168.1.1', true],
    ['192.169.0.0', false],
    ['100.63.255.255', false],
    ['100.64.0.0', true],
    ['100.127.255.255', true],
    ['100.128.0.0', false],
    ['198.17.255.255', false],
    ['198.18.0.0', true],
    ['198.19.255.255', true],
    ['198.20.0.0', false],
    ['fc00::1', true],
    ['fdff:ffff::1', true],
    ['fe00::1', false],
    ['fbff::1', false],
    ['::ffff:10.1.2.3', true],
    ['::ffff:192.168.0.1', true],
  ];
  for (const [ip, isPrivate] of edges) {
    assert.equal(reason(ip), isPrivate ? 'private-network' : 'allowed', ip);
    assert.equal(reason(ip, outboundPolicy({ allowPrivateNetworks: true })), 'allowed', ip);
  }
  assert.equal(reason('2606:4700::1111'), 'allowed');
  assert.equal(reason('8.8.8.8'), 'allowed');
});

test('allowedHosts unblock private and loopback addresses, by range or by name, but never always-blocked ones', () => {
  const policy = outboundPolicy({ allowedHosts: ['10.1.0.0/16', 'intranet.example', '*.corp.example', 'fd12::/16', '169.254.0.0/16'] });
  assert.equal(reason('10.1.200.3', policy), 'allowed');
  assert.equal(reason('10.2.0.1', policy), 'private-network');
  assert.equal(reason('fd12::5', policy), 'allowed');
  assert.equal(reason('127.0.0.1', policy, 'intranet.example'), 'allowed');
  assert.equal(reason('127.0.0.1', policy, 'INTRANET.example.'), 'allowed');
  assert.equal(reason('127.0.0.1', policy, 'other.example'), 'loopback');
  assert.equal(reason('10.9.9.9', policy, 'api.corp.example'), 'allowed');
  assert.equal(reason('10.9.9.9', policy, 'corp.example'), 'private-network', 'a wildcard does not cover the apex');
  assert.equal(reason('169.254.169.254', policy), 'always-blocked');
  assert.equal(reason('169.254.169.254', policy, 'intranet.example'), 'always-blocked');
});

test('deniedHosts block otherwise allowed addresses and names, and win over allowedHosts', () => {
  const policy = outboundPolicy({ allowLoopback: true, deniedHosts: ['127.0.0.2', '8.8.0.0/16', 'bad.example', '2001:db8::/32'], allowedHosts: ['8.8.8.8'] });
  assert.equal(reason('127.0.0.1', policy), 'allowed');
  assert.equal(reason('127.0.0.2', policy), 'denied-host');
  assert.equal(reason('8.8.8.8', policy), 'denied-host');
  assert.equal(reason('2001:db8::1', policy), 'denied-host');
  assert.equal(reason('1.1.1.1', policy, 'bad.example'), 'denied-host');
  assert.deepEqual(checkHostName('Bad.Example.', policy).allowed, false);
  assert.equal(checkHostName('good.example', policy).allowed, true);
});

test('metadata host names are always blocked', () => {
  for (const name of ['metadata', 'METADATA', 'metadata.', 'metadata.google.internal', 'Metadata.Google.Internal.']) {
    const v = checkHostName(name, everythingAllowed);
    assert.equal(v.allowed ? 'allowed' : v.reason, 'always-blocked', name);
  }
  assert.equal(checkHostName('metadata.example.com', closed).allowed, true);
});

test('a non-address is refused', () => {
  assert.equal(reason('localhost'), 'invalid-address');
  assert.equal(reason('999.1.1.1'), 'invalid-address');
});

test('loadOutboundPolicy reads the SWITCHBOARD_OUTBOUND_* variables', () => {
  assert.deepEqual(loadOutboundPolicy({}), closed);
  const policy = loadOutboundPolicy({
    SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK: 'true',
    SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE_NETWORKS: '1',
    SWITCHBOARD_OUTBOUND_ALLOWED_HOSTS: ' intranet.example , 10.0.0.0/8,, fd00::/8 ',
    SWITCHBOARD_OUTBOUND_DENIED_HOSTS: 'Bad.Example.',
    SWITCHBOARD_OUTBOUND_REQUIRE_HTTPS: 'TRUE',
    SWITCHBOARD_OUTBOUND_ALLOW_SELF_SIGNED: 'false',
  });
  assert.equal(policy.allowLoopback, true);
  assert.equal(policy.allowPrivateNetworks, true);
  assert.equal(policy.requireHttps, true);
  assert.equal(policy.allowSelfSignedCertificates, false);
  assert.deepEqual(policy.allowedHosts.names, ['intranet.example']);
  assert.deepEqual(policy.allowedHosts.ranges.map((r) => r.text), ['10.0.0.0/8', 'fd00::/8']);
  assert.deepEqual(policy.deniedHosts.names, ['bad.example']);
  assert.equal(loadOutboundPolicy({ SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK: '' }).allowLoopback, false);
});

test('loadOutboundPolicy refuses values it cannot read, naming the variable', () => {
  assert.throws(() => loadOutboundPolicy({ SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK: 'yes please' }), /SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK/);
  assert.throws(() => loadOutboundPolicy({ SWITCHBOARD_OUTBOUND_ALLOWED_HOSTS: '10.0.0.0/33' }), /SWITCHBOARD_OUTBOUND_ALLOWED_HOSTS/);
  assert.throws(() => loadOutboundPolicy({ SWITCHBOARD_OUTBOUND_DENIED_HOSTS: '10.0.0.256' }), /SWITCHBOARD_OUTBOUND_DENIED_HOSTS/);
  assert.throws(() => parseHostList(['http://example.com']), /not a host name/);
  assert.throws(() => parseHostList(['example.com:8080']), /not a host name/);
});

test('checkUrlSyntax: absolute http(s), at most 2048 characters, no always-blocked literal', () => {
  const check = (url: string, requireHttps = false) => {
    const r = checkUrlSyntax(url, { requireHttps });
    return r.ok ? 'ok' : `${r.error}: ${r.message}`;
  };
  assert.equal(check('https://example.com/hook'), 'ok');
  assert.equal(check('http://example.com:8080/a?b=c'), 'ok');
  assert.equal(check('http://127.0.0.1:3000/'), 'ok', 'loopback is a connect-time matter: the setting may change');
  assert.equal(check('http://10.0.0.1/'), 'ok');
  assert.equal(check('https://example.com/' + 'a'.repeat(2048 - 20)), 'ok');
  assert.match(check('https://example.com/' + 'a'.repeat(2048 - 19)), /^invalid-url: must be at most 2048/);
  assert.match(check('/relative/path'), /^invalid-url: must be an absolute URL/);
  assert.match(check('example.com/hook'), /^invalid-url/);
  assert.match(check(''), /^invalid-url/);
  assert.match(check('ftp://example.com/'), /^invalid-url: must use http or https/);
  assert.match(check('javascript:alert(1)'), /^invalid-url: must use http or https/);
  assert.match(check('file:///etc/passwd'), /^invalid-url/);
  assert.match(check('https://user:pass@example.com/'), /^invalid-url: must not contain a user name or password/);
  assert.match(check('http://example.com/', true), /^ssrf-blocked: must use https/);
  assert.equal(check('https://example.com/', true), 'ok');
  for (const url of [
    'http://169.254.169.254/latest/meta-data/',
    'http://169.254.170.2/',
    'http://[::ffff:169.254.169.254]/',
    'http://[fe80::1]/',
    'http://[fd00:ec2::254]/',
    'http://0.0.0.0:8080/',
    'http://0/',
    'http://[::]/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://100.100.100.200/',
    'http://0xa9.0xfe.0xa9.0xfe/', // the URL parser normalises this to 169.254.169.254
    'http://2852039166/', // 169.254.169.254 as one number
    'http://metadata/computeMetadata/v1/',
    'http://metadata.google.internal./',
  ]) {
    assert.match(check(url), /^ssrf-blocked/, url);
  }
});
