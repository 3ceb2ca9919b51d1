import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Refused whatever the configuration: link-local (cloud metadata lives there), unspecified, multicast, broadcast. */
const ALWAYS = new BlockList();
ALWAYS.addSubnet('0.0.0.0', 8, 'ipv4');
ALWAYS.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, 169.254.169.254 metadata
ALWAYS.addSubnet('100.100.100.200', 32, 'ipv4'); // Alibaba metadata
ALWAYS.addSubnet('224.0.0.0', 4, 'ipv4');
ALWAYS.addSubnet('240.0.0.0', 4, 'ipv4');
ALWAYS.addAddress('::', 'ipv6');
ALWAYS.addSubnet('fe80::', 10, 'ipv6');
ALWAYS.addSubnet('ff00::', 8, 'ipv6');
ALWAYS.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
ALWAYS.addSubnet('2001::', 32, 'ipv6'); // Teredo: an IPv4 address inside, obfuscated
ALWAYS.addSubnet('64:ff9b:1::', 48, 'ipv6'); // local-use NAT64: where the IPv4 address sits is the network's choice

/** Refused unless EVENT_ENDPOINTS_ALLOW_PRIVATE: loopback, private, shared (CGNAT) and unique-local ranges. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('198.18.0.0', 15, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fec0::', 10, 'ipv6'); // site-local (deprecated, still routed on some networks)

export class RefusedAddressError extends Error {
  constructor(readonly address: string) {
    super(`refused to connect to ${address}: not a public address`);
    this.name = 'RefusedAddressError';
  }
}

/** The 16 bytes of an IPv6 address (a trailing dotted IPv4 part allowed), or null when it is not one. */
function ipv6Bytes(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').filter((g) => g !== '') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (all.length !== 8) return null;
  return all.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

const zeros = (bytes: number[], from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
const v4 = (bytes: number[], at: number) => bytes.slice(at, at + 4).join('.');

/**
 * The IPv4 address an IPv6 address carries, judged as that address: IPv4-mapped (::ffff:a.b.c.d, also written
 * ::ffff:7f00:1), SIIT (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64's well-known prefix
 * (64:ff9b::a.b.c.d, which a NAT64 gateway turns into the IPv4 address) and 6to4 (2002:aabb:ccdd::).
 */
function embeddedIpv4(bytes: number[]): string | null {
  const ffff = bytes[10] === 0xff && bytes[11] === 0xff;
  if (zeros(bytes, 0, 10) && ffff) return v4(bytes, 12);
  if (zeros(bytes, 0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zeros(bytes, 10, 12)) return v4(bytes, 12);
  if (zeros(bytes, 0, 12) && !zeros(bytes, 12, 15)) return v4(bytes, 12);
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(bytes, 4, 12)) return v4(bytes, 12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(bytes, 2);
  return null;
}

/** Why an address is refused, or null when it may be connected to. */
export function refusal(address: string, allowPrivate: boolean): string | null {
  const bytes = ipv6Bytes(address);
  const carried = bytes ? embeddedIpv4(bytes) : null;
  if (carried !== null) return refusal(carried, allowPrivate);
  const family = bytes ? 'ipv6' : 'ipv4';
  if (ALWAYS.check(address, family)) return 'link-local, metadata or reserved address';
  if (!allowPrivate && PRIVATE.check(address, family)) return 'private or loopback address (EVENT_ENDPOINTS_ALLOW_PRIVATE is off)';
  return null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.Agent: resolves as usual, then refuses when any resolved address is refused. The socket
 * connects to what this returns, so the check is on the address actually connected to: a name that resolves to
 * a public address when the endpoint is saved and to 169.254.169.254 when sent (DNS rebinding) is still refused.
 * Literal IP hosts never reach a lookup: the sender checks them itself.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, options.all ? [] : '', undefined);
      const list = addresses as LookupAddress[];
      const refused = list.find((entry) => refusal(entry.address, allowPrivate) !== null);
      if (refused || list.length === 0) {
        return callback(new RefusedAddressError(refused?.address ?? hostname) as NodeJS.ErrnoException, options.all ? [] : '', undefined);
      }
      if (options.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
