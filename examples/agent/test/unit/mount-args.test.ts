import { describe, expect, it } from 'vitest';
import { ninePMount, parseMountSource } from '../../src/agent/methods/mount-args.js';
import { MethodError } from '../../src/errors.js';
import { methods, type Params } from '../../src/index.js';

const MNT = '/mnt/share';

/** Through the method's schema first, as the agent does. */
function build(params: Params<'mount'>) {
  return ninePMount(methods.mount.params.parse(params));
}

function schemaError(run: () => unknown): MethodError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MethodError);
    expect((error as MethodError).code).toBe('SCHEMA');
    return error as MethodError;
  }
  throw new Error('no error');
}

describe('mount sources', () => {
  it.each([
    ['vsock:2:5640', { kind: 'vsock', cid: 2, port: 5640 }],
    ['vsock:1:0', { kind: 'vsock', cid: 1, port: 0 }],
    ['vsock:4294967294:4294967294', { kind: 'vsock', cid: 4294967294, port: 4294967294 }],
    ['tcp:10.0.2.2:5640', { kind: 'tcp', host: '10.0.2.2', port: 5640 }],
    ['portal-share', { kind: 'tag', tag: 'portal-share' }],
  ])('%s', (source, parsed) => {
    expect(parseMountSource(source)).toEqual(parsed);
  });

  it.each([
    ['vsock:2', /expected vsock:CID:PORT/],
    ['vsock:2:5640:1', /expected vsock:CID:PORT/],
    ['vsock:x:5640', /CID "x" must be an integer from 0 to 4294967294/],
    ['vsock:-1:5640', /CID "-1" must be/],
    ['vsock:4294967295:5640', /CID "4294967295" must be/],
    ['vsock:2:', /port "" must be an integer from 0 to 4294967294/],
    ['vsock:2:1.5', /port "1.5" must be/],
    ['vsock:2:99999999999', /port "99999999999" must be/],
    ['tcp:host:70000', /port "70000" must be an integer from 1 to 65535/],
    ['tcp::5640', /expected tcp:HOST:PORT/],
    ['a tag with spaces', /expected tcp:HOST:PORT, vsock:CID:PORT or a 9p tag/],
  ])('%s is refused naming the bad part', (source, message) => {
    const error = schemaError(() => parseMountSource(source));
    expect(error.message).toContain(JSON.stringify(source));
    expect(error.message).toMatch(message);
  });
});

describe('mount arguments', () => {
  it('vsock: trans=fd on fd 3, the source as device name, no fstab line', () => {
    const mount = build({ source: 'vsock:2:5640', mountPoint: MNT, aname: '/export' });
    expect(mount.args).toEqual([
      '-t',
      '9p',
      '-o',
      'trans=fd,rfdno=3,wfdno=3,version=9p2000.L,msize=262144,aname=/export',
      'vsock:2:5640',
      MNT,
    ]);
    expect(mount.fstabLine).toBeNull();
    expect(mount.writeFstab).toBe(false);
    expect(build({ source: 'vsock:2:5640', mountPoint: MNT, fstab: false }).fstabLine).toBeNull();
  });

  it('vsock with fstab: true is refused: the connection cannot be made again from fstab', () => {
    const error = schemaError(() =>
      build({ source: 'vsock:2:5640', mountPoint: MNT, fstab: true }),
    );
    expect(error.message).toMatch(/fstab: true is impossible for vsock/);
  });

  it('tcp: trans=tcp with the port, and an fstab line written by default', () => {
    const mount = build({ source: 'tcp:10.0.2.2:5640', mountPoint: MNT });
    expect(mount.args).toEqual([
      '-t',
      '9p',
      '-o',
      'trans=tcp,port=5640,version=9p2000.L,msize=262144',
      '10.0.2.2',
      MNT,
    ]);
    expect(mount.fstabLine).toBe(
      `10.0.2.2\t${MNT}\t9p\ttrans=tcp,port=5640,version=9p2000.L,msize=262144,nofail\t0\t0`,
    );
    expect(mount.writeFstab).toBe(true);
    expect(build({ source: 'tcp:10.0.2.2:5640', mountPoint: MNT, fstab: false }).writeFstab).toBe(
      false,
    );
  });

  it('a virtio-9p tag: trans=virtio', () => {
    const mount = build({ source: 'share', mountPoint: MNT });
    expect(mount.args[3]).toBe('trans=virtio,version=9p2000.L,msize=262144');
    expect(mount.args[4]).toBe('share');
    expect(mount.fstabLine).toMatch(/^share\t\/mnt\/share\t9p\ttrans=virtio/);
  });

  it('an aname with a comma is refused: it would smuggle in mount options', () => {
    const error = schemaError(() =>
      build({ source: 'share', mountPoint: MNT, aname: '/x,trans=tcp' }),
    );
    expect(error.message).toMatch(/aname "\/x,trans=tcp": no commas/);
  });

  it('the result schema accepts the null line of a vsock mount', () => {
    expect(methods.mount.result.parse({ fstabLine: null })).toEqual({ fstabLine: null });
  });
});
