import { refusal } from './address-guard';

describe('address guard', () => {
  it('always refuses link-local and metadata addresses, even with private addresses allowed', () => {
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', 'fe80::1', 'fd00:ec2::254', '0.0.0.0', '100.100.100.200']) {
      expect({ address, refused: refusal(address, true) !== null }).toEqual({ address, refused: true });
    }
  });

  it('refuses private and loopback ranges unless allowed; public addresses pass', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '::1', 'fd12::1', '::ffff:127.0.0.1']) {
      expect({ address, off: refusal(address, false) !== null, on: refusal(address, true) }).toEqual({ address, off: true, on: null });
    }
    expect(refusal('93.184.216.34', false)).toBeNull();
    expect(refusal('2606:4700::1111', false)).toBeNull();
  });

  it('judges an IPv6 address that carries an IPv4 one (mapped, SIIT, compatible, NAT64, 6to4) as that IPv4 address', () => {
    const loopbackForms = ['::ffff:7f00:1', '::ffff:0:7f00:1', '::ffff:0:127.0.0.1', '::7f00:1', '::127.0.0.1', '64:ff9b::7f00:1', '64:ff9b::127.0.0.1', '2002:7f00:1::1', '2002:a00:1::'];
    for (const address of loopbackForms) {
      expect({ address, off: refusal(address, false) !== null, on: refusal(address, true) }).toEqual({ address, off: true, on: null });
    }
    const metadataForms = ['::ffff:a9fe:a9fe', '::ffff:0:a9fe:a9fe', '::a9fe:a9fe', '64:ff9b::a9fe:a9fe', '64:ff9b::169.254.169.254', '2002:a9fe:a9fe::1'];
    for (const address of metadataForms) expect({ address, on: refusal(address, true) !== null }).toEqual({ address, on: true });
    // A public IPv4 address inside is public; Teredo and local-use NAT64 hide where they lead: always refused.
    expect(refusal('64:ff9b::5db8:d822', false)).toBeNull();
    expect(refusal('2002:5db8:d822::1', false)).toBeNull();
    for (const address of ['2001:0:4136:e378:8000:63bf:3fff:fdd2', '64:ff9b:1::a00:1']) expect({ address, on: refusal(address, true) !== null }).toEqual({ address, on: true });
    expect({ siteLocal: refusal('fec0::1', false) !== null, allowed: refusal('fec0::1', true) }).toEqual({ siteLocal: true, allowed: null });
  });
});
