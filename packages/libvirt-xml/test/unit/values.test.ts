import { describe, expect, it } from 'vitest';
import {
  AddressView,
  type DeviceAddress,
  InvalidValueError,
  LibvirtXmlError,
  parsePciAddress,
  sizeToBytes,
  toSize,
  unitFactor,
  WrongRootError,
  XmlForbiddenError,
  XmlMalformedError,
  XmlTooLargeError,
} from '../../src/index.js';
import { addressElement, parseXml, serializeElement } from '../../src/xml/index.js';

describe('units', () => {
  it.each([
    ['b', 1],
    ['bytes', 1],
    ['KB', 1000],
    ['k', 1024],
    ['KiB', 1024],
    ['MB', 1000 ** 2],
    ['M', 1024 ** 2],
    ['MiB', 1024 ** 2],
    ['GB', 1000 ** 3],
    ['G', 1024 ** 3],
    ['GiB', 1024 ** 3],
    ['TB', 1000 ** 4],
    ['TiB', 1024 ** 4],
    ['PiB', 1024 ** 5],
    ['EB', 1000 ** 6],
  ])('%s is %d bytes', (unit, bytes) => {
    expect(unitFactor(unit)).toBe(bytes);
  });

  it.each([
    ['2 GiB', { value: 2, unit: 'GiB' }],
    ['512MiB', { value: 512, unit: 'MiB' }],
    ['1048576', { value: 1048576, unit: 'KiB' }],
    [4096, { value: 4096, unit: 'KiB' }],
    [
      { value: 3, unit: 'G' },
      { value: 3, unit: 'G' },
    ],
  ] as const)('parses %j', (input, size) => {
    expect(toSize(input, 'memory')).toEqual(size);
  });

  it('converts to bytes and refuses unknown units and fractions', () => {
    expect(sizeToBytes({ value: 2, unit: 'GiB' })).toBe(2 * 1024 ** 3);
    expect(() => toSize('2 XB', 'memory')).toThrow(
      /memory: invalid value "2 XB": unknown unit "XB"/,
    );
    expect(() => toSize('1.5 GiB', 'memory')).toThrow(InvalidValueError);
    expect(() => toSize(-1, 'memory')).toThrow(/non-negative integer/);
  });
});

describe('device addresses', () => {
  const table: Array<[DeviceAddress, string]> = [
    [
      { type: 'pci', domain: 0, bus: 1, slot: 2, function: 3, multifunction: true },
      '<address type="pci" domain="0x0000" bus="0x01" slot="0x02" function="0x3" multifunction="on"/>',
    ],
    [
      { type: 'drive', controller: 0, bus: 1, target: 0, unit: 2 },
      '<address type="drive" controller="0" bus="1" target="0" unit="2"/>',
    ],
    [
      { type: 'virtio-serial', controller: 0, bus: 0, port: 3 },
      '<address type="virtio-serial" controller="0" bus="0" port="3"/>',
    ],
    [{ type: 'usb', bus: 0, port: '1.2' }, '<address type="usb" bus="0" port="1.2"/>'],
    [
      { type: 'ccw', cssid: 0xfe, ssid: 0, devno: 0x0a },
      '<address type="ccw" cssid="0xfe" ssid="0x0" devno="0x000a"/>',
    ],
  ];

  it.each(table)('%j encodes, decodes and round-trips', (address, xml) => {
    expect(serializeElement(addressElement(address, 'address'))).toBe(xml);
    expect(new AddressView(parseXml(xml).root, 'address').value).toEqual(address);
  });

  it.each([
    [{ type: 'pci', domain: 0x10000, bus: 0, slot: 0 }, 'address.domain'],
    [{ type: 'pci', bus: 0x100, slot: 0 }, 'address.bus'],
    [{ type: 'pci', bus: 0, slot: 32 }, 'address.slot'],
    [{ type: 'pci', bus: 0, slot: 0, function: 8 }, 'address.function'],
    [{ type: 'ccw', cssid: 0xff, ssid: 0, devno: 0 }, 'address.cssid'],
    [{ type: 'ccw', cssid: 0, ssid: 4, devno: 0 }, 'address.ssid'],
    [{ type: 'usb', bus: 0, port: 'x' }, 'address.port'],
  ] as Array<[DeviceAddress, string]>)('refuses %j at %s', (address, path) => {
    const error = (() => {
      try {
        addressElement(address, 'address');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as InvalidValueError).path).toBe(path);
  });

  it('parses host PCI addresses', () => {
    expect(parsePciAddress('0000:3b:1f.7')).toEqual({
      type: 'pci',
      domain: 0,
      bus: 0x3b,
      slot: 0x1f,
      function: 7,
    });
    expect(parsePciAddress('01:00.0')).toMatchObject({ domain: 0, bus: 1 });
    expect(() => parsePciAddress('0000:01:00.8', 'hostdev')).toThrow(
      /hostdev: invalid value "0000:01:00.8"/,
    );
  });
});

describe('errors', () => {
  it.each([
    [new XmlMalformedError('bad', 1, 2), 'XML_MALFORMED', 'XmlMalformedError'],
    [new XmlForbiddenError('DOCTYPE'), 'XML_FORBIDDEN', 'XmlForbiddenError'],
    [new XmlTooLargeError(10, 5), 'XML_TOO_LARGE', 'XmlTooLargeError'],
    [new WrongRootError('domain', 'network'), 'WRONG_ROOT', 'WrongRootError'],
    [new InvalidValueError('a.b', 1, 'why'), 'INVALID_VALUE', 'InvalidValueError'],
  ] as const)('%s has code %s and name %s', (error, code, name) => {
    expect(error).toBeInstanceOf(LibvirtXmlError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
  });

  it('keeps the cause', () => {
    const cause = new Error('inner');
    expect(new XmlMalformedError('outer', undefined, undefined, { cause }).cause).toBe(cause);
  });
});
