import { describe, expect, it } from 'vitest';
import { addressNetwork } from './client-network';

describe('addressNetwork (what an address-keyed rate limit counts)', () => {
  it('keys an IPv6 client by its /64: two addresses in one network are one key, another network is another', () => {
    const home = addressNetwork('2001:db8:1:2::1', 64);

    expect(home).toBe('2001:db8:1:2::/64');
    expect(addressNetwork('2001:db8:1:2:ffff:ffff:ffff:ffff', 64)).toBe(home);
    expect(addressNetwork('2001:db8:1:3::1', 64)).not.toBe(home);
  });

  it('gives every spelling of one network the same key: compressed or not, upper case, zone id, brackets', () => {
    const spellings = [
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:0000:0000:0000:0001',
      '2001:DB8:1:2:0:0:0:99',
      '2001:db8:1:2::abcd%eth0',
      '[2001:db8:1:2::7]',
      ' 2001:db8:1:2::8 ',
    ];

    expect(new Set(spellings.map((address) => addressNetwork(address, 64)))).toEqual(new Set(['2001:db8:1:2::/64']));
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 client it is, in either notation', () => {
    expect(addressNetwork('::ffff:192.0.2.4', 64)).toBe('192.0.2.4');
    expect(addressNetwork('::FFFF:c000:0204', 64)).toBe('192.0.2.4');
    expect(addressNetwork('0:0:0:0:0:ffff:192.0.2.4', 64)).toBe('192.0.2.4');
  });

  it('leaves IPv4 addresses as they are: one address, one key', () => {
    expect(addressNetwork('203.0.113.9', 64)).toBe('203.0.113.9');
    expect(addressNetwork('203.0.113.10', 64)).toBe('203.0.113.10');
  });

  it('follows the configured prefix length', () => {
    expect(addressNetwork('2001:db8:1:2::1', 48)).toBe('2001:db8:1::/48');
    expect(addressNetwork('2001:db8:1:2::1', 48)).toBe(addressNetwork('2001:db8:1:ff::1', 48));
    expect(addressNetwork('2001:db8:1:2::1', 56)).toBe('2001:db8:1::/56');
    expect(addressNetwork('2001:db8:1:2ff::1', 56)).toBe('2001:db8:1:200::/56');
    expect(addressNetwork('2001:db8:1:2::1', 128)).toBe('2001:db8:1:2::1/128');
    expect(addressNetwork('2001:db8:1:2::1', 128)).not.toBe(addressNetwork('2001:db8:1:2::2', 128));
  });

  it('keeps what is not an address as it came (one bucket per odd value), never throwing', () => {
    expect(addressNetwork('not an address', 64)).toBe('not an address');
    expect(addressNetwork('2001:db8::1::2', 64)).toBe('2001:db8::1::2');
  });
});
