import { writeFileSync } from 'node:fs';
import type { Guest } from '@multiverse-os/image';

/**
 * The busybox sh script the guest runs against our server: every check prints
 * `CHECK <name> <value>` on the console, and the test compares the values.
 */
export function guestScript(port: number): string {
  const deepName = 'd'.repeat(100);
  const opts = `trans=tcp,port=${port},version=9p2000.L,msize=1048576`;
  const flockStruct = 's s x4 q q i x4';
  return `
ok() { echo "CHECK $1 $2"; }
mkdir -p /mnt/n /mnt/l /mnt/m /mnt/f
mount -t 9p -o ${opts},cache=none 10.0.2.2 /mnt/n && ok mount-none yes
mount -t 9p -o ${opts},cache=loose 10.0.2.2 /mnt/l && ok mount-loose yes
mount -t 9p -o ${opts},cache=mmap 10.0.2.2 /mnt/m && ok mount-mmap yes
# trans=fd: socat connects and, with nofork, execs mount with the TCP socket as fds 0 and 1.
printf '#!/bin/sh\nexec mount -t 9p -o trans=fd,rfdno=0,wfdno=1,version=9p2000.L,msize=1048576 none /mnt/f\n' > /fdmount
chmod 755 /fdmount
socat TCP:10.0.2.2:${port} EXEC:/fdmount,nofork && ok mount-fd yes
ok msize-opt "$(grep -c 'msize=1048576' /proc/mounts)"
cd /mnt/n || exit 1
echo hello > f1; ok read "$(cat f1)"
echo world >> f1; ok append "$(cat f1 | tr '\\n' '+')"
truncate -s 3 f1; ok truncate "$(cat f1)"
mkdir d1 d2; echo x > d1/x; mv d1/x d2/y; ok rename "$(cat d2/y)-$(ls d1 | wc -l)"
ln d2/y d2/hard; ok hardlink "$(stat -c %h d2/y)"
ln -s ../f1 d2/sym; ok readlink "$(readlink d2/sym)"; ok symread "$(cat d2/sym)"
mkdir gone; rmdir gone; ok rmdir "$([ -e gone ] && echo present || echo absent)"
echo m > perm; chmod 640 perm; chown 1234:5678 perm; ok chmod "$(stat -c '%a-%u-%g' perm)"
touch -t 200102030405.06 perm; ok utime "$(stat -c %Y perm)"
ok many "$(ls many | wc -l)"
ok many-last "$(ls -l many/entry-9999 | cut -c1)"
echo sync | dd of=fs1 conv=fsync 2>/dev/null && ok fsync "$(cat fs1)"
ok statfs "$(stat -f -c %l .)"
echo keep > ou; exec 3< ou; rm ou
ok ou-gone "$([ -e ou ] && echo present || echo absent)"
ok ou-fstat "$(stat -L -c %s /proc/$$/fd/3)"
ok ou-read "$(cat <&3)"
exec 3<&-
i=0; while [ $i -lt 45 ]; do mkdir ${deepName} && cd -P ${deepName} || break; i=$((i+1)); done
echo deep > leaf; ok deep "$i-$(cat leaf)"; cd /mnt/n
dd if=/dev/urandom of=gw bs=65536 count=64 2>/dev/null; ok guest-write-md5 "$(md5sum gw | cut -c1-32)"
ok rand-md5-none "$(md5sum rand.bin | cut -c1-32)"
ok rand-md5-loose "$(md5sum /mnt/l/rand.bin | cut -c1-32)"
ok rand-md5-mmap "$(md5sum /mnt/m/rand.bin | cut -c1-32)"
mkdir bin; cp /bin/busybox bin/busybox; chmod 755 bin/busybox
ok exec-none "$(/mnt/n/bin/busybox echo ran)"
ok exec-loose "$(/mnt/l/bin/busybox echo ran)"
ok exec-mmap "$(/mnt/m/bin/busybox echo ran)"
echo loose > /mnt/l/lw; sync; ok loose-write "$(cat /mnt/n/lw)"
echo mm > /mnt/m/mw; ok mmap-write "$(cat /mnt/n/mw)"
touch lk lk2
flock -x /mnt/n/lk -c 'sleep 4' &
sleep 2
flock -n -x /mnt/l/lk -c true && ok flock-other acquired || ok flock-other refused
wait
flock -n -x /mnt/l/lk -c true && ok flock-after acquired || ok flock-after refused
perl -e 'open(F,"+<","/mnt/n/lk2") or die "open $!"; $l = pack("${flockStruct}",1,0,10,10,0); fcntl(F,6,$l) or die "setlk $!"; print "CHECK fcntl-holder $$\\n"; sleep 5;' &
sleep 2
perl -e 'open(F,"+<","/mnt/l/lk2") or die "open $!";
  $a = pack("${flockStruct}",1,0,0,0,0); print "CHECK fcntl-other ", (fcntl(F,6,$a) ? "acquired" : "refused"), "\\n";
  $b = pack("${flockStruct}",1,0,100,5,0); print "CHECK fcntl-free-range ", (fcntl(F,6,$b) ? "acquired" : "refused"), "\\n";
  $g = pack("${flockStruct}",1,0,0,0,0); fcntl(F,5,$g) or die "getlk $!";
  @v = unpack("${flockStruct}",$g); print "CHECK fcntl-getlk $v[0]-$v[2]-$v[3]-$v[4]\\n";'
wait
echo over-fd > /mnt/f/fdfile; ok fd-write "$(cat /mnt/n/fdfile)"; ok fd-read "$(cat /mnt/f/f1)"
# Issue 23: devices and set-id bits need the export's opt-in; sockets (bind) just work.
mknod kmsg c 1 11 2>/dev/null && ok mknod-char made || ok mknod-char refused
mknod disk b 8 0 2>/dev/null && ok mknod-block made || ok mknod-block refused
# The kernel client opens a device node as the guest's own device (no Tlopen reaches the
# server): the node is only listed, with its type and numbers.
ok host-device "$(stat -c '%F %t:%T' hostnull)"
echo x > sx; chmod 4755 sx 2>/dev/null && ok chmod-suid allowed || ok chmod-suid refused
chmod 2755 sx 2>/dev/null && ok chmod-sgid allowed || ok chmod-sgid refused
mkdir -m 2775 sgdir 2>/dev/null && ok mkdir-sgid allowed || ok mkdir-sgid refused
mkfifo fifo1 && ok mkfifo "$(stat -c %F fifo1)"
socat UNIX-LISTEN:/mnt/n/sock1 /dev/null & sleep 2
ok bind-socket "$(stat -c %F sock1)"; kill $! 2>/dev/null; wait $! 2>/dev/null
ok suid-before "$(stat -c %a suid)"
perl -e '$( = 1000; $) = "1000 1000"; $< = $> = 1000;
  open(F, ">>", "/mnt/n/suid") or do { print "CHECK suid-writer open: $!\\n"; exit 1 };
  print F "y"; close(F) or do { print "CHECK suid-writer close: $!\\n"; exit 1 };
  print "CHECK suid-writer $<\\n";'
ok suid-after "$(stat -c %a suid)"
cd /
umount /mnt/n /mnt/l /mnt/m /mnt/f && ok umount yes
echo GUEST-DONE
`;
}

/**
 * Waits until the guest's script is done and reads its checks. The console is written to
 * $P9_GUEST_LOG when set, also when the wait fails.
 */
export async function collectChecks(
  guest: Guest,
): Promise<{ output: string; checks: Map<string, string> }> {
  try {
    await guest.waitForOutput(/GUEST-DONE|init script exited/, { timeout: 280_000 });
  } finally {
    if (process.env.P9_GUEST_LOG) writeFileSync(process.env.P9_GUEST_LOG, guest.output());
  }
  const output = guest.output();
  return { output, checks: parseChecks(output) };
}

/** Parses `CHECK name value` lines from the console transcript. */
export function parseChecks(output: string): Map<string, string> {
  const checks = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const m = /^CHECK (\S+) ?(.*)$/.exec(line.trim());
    if (m?.[1]) checks.set(m[1], (m[2] ?? '').trim());
  }
  return checks;
}
