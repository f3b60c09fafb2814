import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network a client address belongs to, as address-keyed rate limits count it.
 *
 * An IPv4 address is one client. An IPv6 address is not: a home or a cloud VM is routinely
 * handed a whole /64, so a limit per address would give one attacker 2^64 fresh buckets. The
 * limits count the network instead (the prefix length is RATE_LIMIT_IPV6_PREFIX). Every spelling
 * of one network (compressed or not, any case, a zone id, brackets) gives one key, and an
 * IPv4-mapped address (`::ffff:192.0.2.4`) is the IPv4 client it stands for.
 *
 * Only the keys change: the session list and the audit log keep the address as it came.
 */
export function addressNetwork(address: string, ipv6PrefixLength: number): string {
  const trimmed = address.trim();
  if (isIPv4(trimmed)) return trimmed;
  const groups = ipv6Groups(trimmed);
  // Not an address at all (a proxy sent something odd): it stays a bucket of its own.
  if (groups === null) return trimmed;
  const mapped = mappedIPv4(groups);
  if (mapped !== null) return mapped;
  return `${formatIPv6(maskGroups(groups, ipv6PrefixLength))}/${ipv6PrefixLength}`;
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  // A zone id (`%eth0`) names the sender's interface, not a different host.
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (!isIPv6(bare)) return null;
  const [head = '', tail] = bare.split('::');
  const headGroups = groupsOf(head);
  const tailGroups = tail === undefined ? [] : groupsOf(tail);
  const zeros = Array<number>(8 - headGroups.length - tailGroups.length).fill(0);
  return [...headGroups, ...zeros, ...tailGroups];
}

/** `2001:db8` → [0x2001, 0xdb8]; a trailing dotted IPv4 part (`::ffff:192.0.2.4`) is two groups. */
function groupsOf(part: string): number[] {
  if (part === '') return [];
  return part.split(':').flatMap((group) => {
    if (!group.includes('.')) return [Number.parseInt(group, 16)];
    const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
    return [(a << 8) | b, (c << 8) | d];
  });
}

function mappedIPv4(groups: number[]): string | null {
  const isMapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (!isMapped) return null;
  const [high = 0, low = 0] = groups.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function maskGroups(groups: number[], prefixLength: number): number[] {
  return groups.map((group, index) => {
    const kept = Math.min(16, Math.max(0, prefixLength - index * 16));
    return kept === 0 ? 0 : group & ((0xffff << (16 - kept)) & 0xffff);
  });
}

/** The canonical text form: WHATWG URL serialises IPv6 hosts the RFC 5952 way (lower case, `::`). */
function formatIPv6(groups: number[]): string {
  return new URL(`http://[${groups.map((group) => group.toString(16)).join(':')}]`).hostname.slice(1, -1);
}
