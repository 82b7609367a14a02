import { isIPv4, isIPv6 } from 'node:net';

/**
 * What the per-IP limit counts a client by: an IPv4 address as it is, an
 * IPv6 address by its /64. One subscriber usually gets a whole /64 (RFC 6177)
 * and may use any of its 2^64 addresses, so counting single IPv6 addresses
 * would let one client rotate past the limit. An IPv4-mapped IPv6 address
 * (`::ffff:203.0.113.7`, what a dual-stack listener reports for IPv4) is the
 * IPv4 client it maps. Anything else (no address) is used as it is.
 */
export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (!isIPv6(ip)) return ip;
  return `${firstFourGroups(ip.split('%')[0]).join(':')}::/64`;
}

/** The first 64 bits of an IPv6 address as four hex groups, whatever its spelling (`::`, leading zeros, case). */
function firstFourGroups(address: string): string[] {
  const [head, tail] = address.split('::');
  const groups = head ? head.split(':') : [];
  // With `::`, zeros fill what head and tail leave of 8 groups (an IPv4 tail counts 2). Only the first 4 matter.
  if (tail !== undefined) {
    const tailGroups = tail ? tail.split(':').reduce((n, part) => n + (part.includes('.') ? 2 : 1), 0) : 0;
    groups.push(...Array<string>(8 - groups.length - tailGroups).fill('0'), ...(tail ? tail.split(':') : []));
  }
  return groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16));
}
