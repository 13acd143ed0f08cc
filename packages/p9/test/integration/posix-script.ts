/**
 * The POSIX checklist the guest runs on each mount (busybox sh, perl for the system calls
 * busybox has no command for). Every result prints as `CHECK <prefix>-<name> <value>`; the
 * test holds each value to what ext4 answers, or says why it differs.
 */
export function posixChecks(prefix: string, mnt: string): string {
  const long255 = 'n'.repeat(255);
  const long256 = 'n'.repeat(256);
  const deep = 'd'.repeat(100);
  // x86_64 system call numbers (perl's syscall): utimensat, setxattr, getxattr, listxattr,
  // removexattr.
  return `
p=${prefix}
cd ${mnt} || exit 1
mkdir w && chmod 1777 w && cd w || exit 1
umask 022
# Owners: a file made by uid 1000 is uid 1000's; chown changes it, and its ctime.
as1000 sh -c 'echo o > own1'; ok $p-owner-new "$(stat -c %u:%g own1)"
c1=$(stat -c %z own1); sleep 1; chown 1234:5678 own1
ok $p-chown "$(stat -c %u:%g own1)"
[ "$c1" != "$(stat -c %z own1)" ] && ok $p-chown-ctime changed || ok $p-chown-ctime same
# Modes: umask applies to creates, chmod is exact.
touch m1; mkdir md; mkdir -m 0700 md2
ok $p-modes "$(stat -c %a m1)-$(stat -c %a md)-$(stat -c %a md2)"
chmod 0750 m1; ok $p-chmod "$(stat -c %a m1)"
# Set-id rules.
echo s > s1; chmod 4755 s1; ok $p-suid-set "$(stat -c %a s1)"
chown 5:5 s1; ok $p-chown-clears-suid "$(stat -c %a s1)"
echo s > s2; chmod 4777 s2; as1000 sh -c 'echo y >> s2'; ok $p-write-clears-suid "$(stat -c %a s2)"
echo s > s3; chmod 2777 s3; as1000 sh -c 'echo y >> s3'; ok $p-write-clears-sgid "$(stat -c %a s3)"
echo s > s4; chmod 2767 s4; as1000 sh -c 'echo y >> s4'; ok $p-write-keeps-sgid-noexec "$(stat -c %a s4)"
echo s > s5; chmod 4777 s5; echo y >> s5; ok $p-root-write-keeps-suid "$(stat -c %a s5)"
mkdir sg; chown 0:77 sg; chmod 2775 sg; mkdir sg/sub; touch sg/f
ok $p-sgid-dir-inherit "$(stat -c %a-%g sg/sub)-$(stat -c %g sg/f)"
# Timestamps, set to the nanosecond with utimensat(2).
touch t1
perl -e '$f = "t1"; $t = pack("q4", 1000000000, 100000000, 1000000001, 123456789); $r = syscall(280, -100, $f, $t, 0); print "CHECK ${prefix}-utimensat ", ($r == 0 ? "ok" : "$!"), "\\n"'
ok $p-atime "$(stat -c %x t1)"
ok $p-mtime "$(stat -c %y t1)"
perl -e '$f = "t1"; $t = pack("q4", 0, (1<<30)-2, 0, (1<<30)-2); syscall(280, -100, $f, $t, 0) == 0 or print "omit: $!\\n"'
ok $p-mtime-after-omit "$(stat -c %y t1)"
ok $p-host-ns "$(stat -c %y ../pre-ns)"
echo x > t2; perl -e '$f = "t2"; $t = pack("q4", 1000000000, 0, 1000000000, 0); syscall(280, -100, $f, $t, 0) == 0 or print "utimensat: $!\\n"'
echo more >> t2; ok $p-write-updates-mtime "$(( $(stat -c %Y t2) > 1000000000 ))"
# Hard links share the inode, its owner and its data; unlink of one keeps the other.
echo h > hl1; ln hl1 hl2; ok $p-link-nlink "$(stat -c %h hl1)"
[ "$(stat -c %i hl1)" = "$(stat -c %i hl2)" ] && ok $p-link-ino same || ok $p-link-ino differ
chown 3:4 hl2; ok $p-link-owner "$(stat -c %u:%g hl1)"
rm hl1; ok $p-link-after-unlink "$(cat hl2)-$(stat -c %h hl2)"
# Rename: replaces atomically, directories over empty directories, errors as on ext4.
echo a > ra; echo b > rb; mv -f ra rb; ok $p-rename-replace "$(cat rb)-$([ -e ra ] && echo ra || echo gone)"
mkdir rd1 rd2; ok $p-rename-dir-over-empty "$(perl -e 'rename("rd1","rd2") or print $!+0')$([ -e rd1 ] && echo rd1 || echo gone)"
mkdir rd3 rd4; touch rd4/x
ok $p-rename-dir-over-full "$(perl -e 'rename("rd3","rd4") or print $!+0')"
ok $p-rename-file-over-dir "$(perl -e 'rename("rb","rd4") or print $!+0')"
ok $p-rename-dir-over-file "$(perl -e 'rename("rd3","rb") or print $!+0')"
exec 4< rb; mv rb rc; ok $p-rename-open-fd "$(cat <&4)"; exec 4<&-
ok $p-unlink-dir "$(perl -e 'unlink("rd4") or print $!+0')"
ok $p-rmdir-full "$(perl -e 'rmdir("rd4") or print $!+0')"
ok $p-rmdir-file "$(perl -e 'rmdir("rc") or print $!+0')"
echo keep > ou; exec 3< ou; rm ou; ok $p-open-unlink "$(cat <&3)-$([ -e ou ] && echo there || echo gone)"; exec 3<&-
# Special files: FIFOs carry data, bind makes a socket node (Tmknod S_IFSOCK).
mkfifo ff; ok $p-fifo-type "$(stat -c %F ff)"
(echo through > ff &); ok $p-fifo-data "$(cat ff)"
# (perl-base has no Socket.pm: AF_UNIX = SOCK_STREAM = 1, sockaddr_un by hand)
ok $p-bind "$(perl -e 'socket(S, 1, 1, 0) or die "socket $!"; bind(S, pack("S Z108", 1, "sk")) ? print "bound" : print "bind: $!"')"
ok $p-socket-type "$(stat -c %F sk)"
rm sk && ok $p-socket-rm "$([ -e sk ] && echo there || echo gone)"
# Extended attributes (user namespace).
echo x > xa
ok $p-setxattr "$(perl -e '($f, $n, $v) = ("xa", "user.k", "v1"); print syscall(188, $f, $n, $v, 2, 0) == 0 ? "ok" : $!+0')"
ok $p-getxattr "$(perl -e '($f, $k) = ("xa", "user.k"); $b = "\\0" x 64; $n = syscall(191, $f, $k, $b, 64); print $n < 0 ? $!+0 : substr($b, 0, $n)')"
ok $p-listxattr "$(perl -e '$f = "xa"; $b = "\\0" x 256; $n = syscall(194, $f, $b, 256); print $n < 0 ? $!+0 : join(",", grep { length } split(/\\0/, substr($b, 0, $n)))')"
ok $p-removexattr "$(perl -e '($f, $k) = ("xa", "user.k"); syscall(197, $f, $k) == 0 or print $!+0; $b = "\\0" x 8; print syscall(191, $f, $k, $b, 8) < 0 ? "gone:" . ($!+0) : "there"')"
ok $p-setxattr-virtfs "$(perl -e '($f, $n, $v) = ("xa", "user.virtfs.uid", "\\0\\0\\0\\0"); print syscall(188, $f, $n, $v, 4, 0) == 0 ? "ok" : $!+0')"
# Names of 255 bytes work, 256 do not; trees deeper than PATH_MAX work.
echo long > ${long255}; ok $p-long-name "$(cat ${long255})-$(ls | grep -c nnnnnnnn)"
mv ${long255} ${long255.slice(0, 254)}m && ok $p-long-rename "$(cat ${long255.slice(0, 254)}m)"
ok $p-name-too-long "$(perl -e 'open(F, ">", "${long256}") or print $!+0')"
i=0; while [ $i -lt 45 ]; do mkdir ${deep} && cd -P ${deep} || break; i=$((i+1)); done
echo deep > leaf; ok $p-deep "$i-$(cat leaf)"
cd ${mnt}
`;
}
