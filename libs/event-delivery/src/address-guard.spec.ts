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
});
