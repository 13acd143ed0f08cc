import { describe, expect, it } from 'vitest';
import { parseEol, parsePatternArgument, unescapeArgument } from '../../src/cli/script.js';
import {
  AbortedError,
  ConsoleClosedError,
  ConsoleNotFoundError,
  EndpointNotFoundError,
  EndpointOpenError,
  ExpectTimeoutError,
  InvalidDomainXmlError,
  InvalidEndpointError,
  InvalidOptionError,
  LoginFailedError,
  ReadOnlyEndpointError,
  SerialError,
} from '../../src/index.js';

describe('errors', () => {
  const table: [SerialError, string, string][] = [
    [new InvalidOptionError('timeout', 'bad'), 'INVALID_OPTION', 'InvalidOptionError'],
    [new InvalidEndpointError('ftp:x', 'bad'), 'INVALID_ENDPOINT', 'InvalidEndpointError'],
    [new EndpointNotFoundError('/dev/x'), 'ENDPOINT_NOT_FOUND', 'EndpointNotFoundError'],
    [new EndpointOpenError('/dev/x', 'busy'), 'ENDPOINT_OPEN_FAILED', 'EndpointOpenError'],
    [new ReadOnlyEndpointError('/log'), 'ENDPOINT_READ_ONLY', 'ReadOnlyEndpointError'],
    [new ConsoleClosedError('gone', 'tail'), 'CONSOLE_CLOSED', 'ConsoleClosedError'],
    [new ExpectTimeoutError(['a', /b/], 10, 'tail'), 'EXPECT_TIMEOUT', 'ExpectTimeoutError'],
    [new AbortedError('expect', ''), 'ABORTED', 'AbortedError'],
    [new LoginFailedError('root', 'no', ''), 'LOGIN_FAILED', 'LoginFailedError'],
    [new InvalidDomainXmlError('/domain', 'bad'), 'INVALID_DOMAIN_XML', 'InvalidDomainXmlError'],
    [new ConsoleNotFoundError('vm1', 'none'), 'CONSOLE_NOT_FOUND', 'ConsoleNotFoundError'],
  ];
  for (const [error, code, name] of table) {
    it(`${name} has code ${code}`, () => {
      expect(error).toBeInstanceOf(SerialError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
    });
  }

  it('keeps the cause and quotes the output', () => {
    const cause = new Error('EACCES');
    expect(new EndpointOpenError('/dev/ttyS0', 'denied', { cause }).cause).toBe(cause);
    const timeout = new ExpectTimeoutError(['login:', /\$ $/], 1000, 'last words');
    expect(timeout.message).toBe(
      'none of "login:", /\\$ $/ appeared within 1000 ms\n--- last console output ---\nlast words',
    );
  });
});

describe('mv-console script arguments', () => {
  it('reads /regex/flags as a RegExp and anything else as unescaped text', () => {
    expect(parsePatternArgument('/Linux version (\\S+)/i')).toEqual(/Linux version (\S+)/i);
    expect(parsePatternArgument('login:')).toBe('login:');
    expect(parsePatternArgument('a\\r\\n')).toBe('a\r\n');
    expect(unescapeArgument('\\x03\\e[0m\\t\\\\')).toBe('\x03\x1b[0m\t\\');
    expect(() => parsePatternArgument('/(/')).toThrow(InvalidOptionError);
  });

  it('parses end-of-line names', () => {
    expect(parseEol(undefined)).toBe('\n');
    expect(parseEol('crlf')).toBe('\r\n');
    expect(() => parseEol('nl')).toThrow(InvalidOptionError);
  });
});
