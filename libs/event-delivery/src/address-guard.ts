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

export class RefusedAddressError extends Error {
  constructor(readonly address: string) {
    super(`refused to connect to ${address}: not a public address`);
    this.name = 'RefusedAddressError';
  }
}

/** IPv4-mapped IPv6 (::ffff:169.254.169.254) is judged as the IPv4 address it is. */
function normalised(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why an address is refused, or null when it may be connected to. */
export function refusal(address: string, allowPrivate: boolean): string | null {
  const { address: ip, family } = normalised(address);
  if (ALWAYS.check(ip, family)) return 'link-local, metadata or reserved address';
  if (!allowPrivate && PRIVATE.check(ip, family)) return 'private or loopback address (EVENT_ENDPOINTS_ALLOW_PRIVATE is off)';
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
