import { clientNetwork } from './client-network.js';

describe('clientNetwork', () => {
  it.each(['203.0.113.7', '10.0.0.1', '127.0.0.1'])('keeps an IPv4 address as it is: %s', (ip) => {
    expect(clientNetwork(ip)).toBe(ip);
  });

  it.each([
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
  ])('takes an IPv4-mapped address (%s) for its IPv4 client', (ip, expected) => {
    expect(clientNetwork(ip)).toBe(expected);
  });

  it.each([
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:0000:0000:0000:0001', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:1::', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['64:ff9b::203.0.113.7', '64:ff9b:0:0::/64'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4::/64'],
  ])('counts an IPv6 address by its /64: %s', (ip, expected) => {
    expect(clientNetwork(ip)).toBe(expected);
  });

  it('tells different /64s apart', () => {
    expect(clientNetwork('2001:db8:1:2::1')).not.toBe(clientNetwork('2001:db8:1:3::1'));
  });

  it.each(['', 'unknown', '2001:db8::g'])('uses what is not an address as it is: %p', (ip) => {
    expect(clientNetwork(ip)).toBe(ip);
  });
});
