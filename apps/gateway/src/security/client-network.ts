import ipaddr from 'ipaddr.js';

/**
 * What the per-IP limit counts a client by: an IPv4 address as it is, an
 * IPv6 address by its /64. One subscriber usually gets a whole /64 (RFC 6177)
 * and may use any of its 2^64 addresses, so counting single IPv6 addresses
 * would let one client rotate past the limit. An IPv4-mapped IPv6 address
 * (`::ffff:203.0.113.7`, what a dual-stack listener reports for IPv4) is the
 * IPv4 client it maps. Anything else (no address) is used as it is.
 */
export function clientNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${address.toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}
