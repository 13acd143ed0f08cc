import { describe, expect, it } from 'vitest';
import {
  InvalidValueError,
  LibvirtXmlError,
  parseDomain,
  parseNetwork,
  parseStoragePool,
  WrongRootError,
  XmlForbiddenError,
  XmlMalformedError,
  XmlTooLargeError,
} from '../../src/index.js';
import { parseXml } from '../../src/xml/index.js';
import { caught } from '../helpers/caught.js';

describe('malformed XML', () => {
  it.each([
    ['unclosed tag', '<domain><name>x</domain>', /malformed XML at 1:\d+: .*closing tag/],
    ['truncated', '<domain type="kvm"', /malformed XML/],
    ['text only', 'hello', /malformed XML/],
    ['two roots', '<domain/><domain/>', /more than one root element/],
    ['empty', '', /malformed XML/],
    ['stray ampersand', '<domain><name>a & b</name></domain>', /malformed XML/],
    ['undefined entity', '<domain><name>&nbsp;</name></domain>', /undefined entity.*&nbsp;/],
    ['duplicate attribute', '<domain type="kvm" type="qemu"/>', /repeated/],
    ['< in attribute', '<domain type="a<b"/>', /'<' in the value of attribute type/],
    ['unquoted attribute', '<domain type=kvm/>', /malformed XML/],
  ])('%s', (_name, xml, message) => {
    const error = caught(() => parseDomain(xml));
    expect(error).toBeInstanceOf(XmlMalformedError);
    expect((error as XmlMalformedError).code).toBe('XML_MALFORMED');
    expect((error as Error).message).toMatch(message);
  });

  it('refuses nesting deeper than maxDepth without overflowing the stack', () => {
    const nest = (n: number) => `${'<a>'.repeat(n)}${'</a>'.repeat(n)}`;
    expect(() => parseXml(nest(150))).toThrow(/nested deeper than 100/);
    expect(() => parseXml(nest(150), { maxDepth: 200 })).not.toThrow();
    expect(() => parseXml(nest(100_000))).toThrow(XmlMalformedError);
  });

  it('refuses control characters XML cannot carry, in input and in values', () => {
    expect(() => parseDomain('<domain><name>a\u0001b</name></domain>')).toThrow(
      /at 1:16: character U\+0001 at offset 15 is not allowed in XML/,
    );
    const d = parseDomain('<domain><name>ok</name></domain>');
    expect(() => {
      d.title = 'bell\u0007';
    }).toThrow(
      /^title: invalid value "bell\\u0007": contains U\+0007 at 4, a character XML cannot represent/,
    );
    // Tabs and newlines are fine.
    d.description = 'a\tb\nc';
    expect(parseDomain(d.toXml()).description).toBe('a\tb\nc');
  });

  it('rejects non-string input with a typed error', () => {
    expect(() => parseDomain(42 as unknown as string)).toThrow(XmlMalformedError);
  });
});

describe('wrong root element', () => {
  it('names what was expected and what came', () => {
    const error = caught(() => parseDomain('<network><name>n</name></network>'));
    expect(error).toBeInstanceOf(WrongRootError);
    expect(error).toMatchObject({ code: 'WRONG_ROOT', expected: 'domain', actual: 'network' });
    expect(() => parseNetwork('<domain/>')).toThrow(/expected a <network> document, got <domain>/);
    expect(() => parseStoragePool('<volume/>')).toThrow(/expected a <pool> document, got <volume>/);
  });
});

describe('DTDs and entities are refused', () => {
  it('billion laughs', () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<domain><name>&lol3;</name></domain>`;
    const error = caught(() => parseDomain(lol));
    expect(error).toBeInstanceOf(XmlForbiddenError);
    expect(error).toMatchObject({ code: 'XML_FORBIDDEN', construct: 'DOCTYPE' });
  });

  it('XXE with an external entity', () => {
    const xxe = `<!DOCTYPE domain [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><domain><name>&xxe;</name></domain>`;
    expect(() => parseDomain(xxe)).toThrow(XmlForbiddenError);
  });

  it('a bare entity declaration without DOCTYPE', () => {
    expect(() => parseXml('<!ENTITY x "y"><domain/>')).toThrow(
      /ENTITY declarations are not accepted/,
    );
  });
});

describe('size limit', () => {
  it('refuses a 50 MB document before parsing it', () => {
    const filler = `<description>${'x'.repeat(50 * 1024 * 1024)}</description>`;
    const huge = `<domain type="kvm"><name>big</name>${filler}</domain>`;
    const started = performance.now();
    const error = caught(() => parseDomain(huge));
    expect(error).toBeInstanceOf(XmlTooLargeError);
    expect(error).toMatchObject({
      code: 'XML_TOO_LARGE',
      size: huge.length,
      maxSize: 10 * 1024 * 1024,
    });
    // Refused up front: no parse of 50 MB happened (a parse takes seconds).
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('honours a custom maxSize', () => {
    expect(() => parseDomain('<domain><name>n</name></domain>', { maxSize: 10 })).toThrow(
      /exceeds the limit of 10/,
    );
  });
});

describe('invalid values', () => {
  it('setters name the path and the value', () => {
    const d = parseDomain(`<domain type="kvm"><name>x</name><memory>1</memory><devices>
  <interface type="user"/>
  <interface type="network"><source network="default"/></interface>
  <vsock model="virtio"><cid auto="no" address="3"/></vsock>
</devices></domain>`);
    const nic = d.devices.interfaces[1];
    const error = caught(() => {
      if (nic) nic.mac = '52:54:00:zz:00:01';
    });
    expect(error).toBeInstanceOf(InvalidValueError);
    expect(error).toMatchObject({
      code: 'INVALID_VALUE',
      path: 'devices.interfaces[1].mac',
      value: '52:54:00:zz:00:01',
    });
    const vsock = d.devices.vsock;
    expect(() => {
      if (vsock) vsock.cid = 1;
    }).toThrow(/devices\.vsock\[0\]\.cid: invalid value 1/);
    expect(() => {
      d.vcpus = 0;
    }).toThrow(/vcpu: invalid value 0/);
    expect(() => {
      d.uuid = 'not-a-uuid';
    }).toThrow(/uuid: invalid value "not-a-uuid"/);
    expect(() => {
      d.onCrash = 'explode' as 'destroy';
    }).toThrow(/on_crash: invalid value "explode": expected one of destroy/);
  });

  it('every error is a LibvirtXmlError with a stable code', () => {
    const codes = [
      caught(() => parseDomain('<x')),
      caught(() => parseDomain('<!DOCTYPE x><x/>')),
      caught(() => parseDomain('<x/>', { maxSize: 1 })),
      caught(() => parseDomain('<x/>')),
      caught(() => {
        parseDomain('<domain/>').name = '';
      }),
    ].map((e) => {
      expect(e).toBeInstanceOf(LibvirtXmlError);
      return (e as LibvirtXmlError).code;
    });
    expect(codes).toEqual([
      'XML_MALFORMED',
      'XML_FORBIDDEN',
      'XML_TOO_LARGE',
      'WRONG_ROOT',
      'INVALID_VALUE',
    ]);
  });
});
