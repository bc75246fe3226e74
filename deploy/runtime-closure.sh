#!/usr/bin/env bash
# Copies into ROOT everything the given executables need at run time, and nothing else: the
# executables (to ROOT/usr/local/bin), every shared library ldd resolves for them (at the same
# path), the dynamic loader, glibc's iconv modules (loaded by iconv_open, invisible to ldd), the
# public-suffix list (libpsl's psl_latest), the CA bundle (HTTPS), and passwd/group/nsswitch
# files with the unprivileged user `crawler` (uid/gid 10001). ROOT is then a complete image
# root for `FROM scratch`: no shell, no package manager.
# Usage: deploy/runtime-closure.sh ROOT EXECUTABLE...
set -euo pipefail
root=$1
shift
[ $# -gt 0 ] || { echo "usage: $0 ROOT EXECUTABLE..." >&2; exit 2; }

copy() {  # copy a file to the same path under $root; a symlink stays a symlink to its copied target
  local src=$1 real
  real=$(readlink -f "$src")
  mkdir -p "$root$(dirname "$real")"
  [ -e "$root$real" ] || cp --preserve=mode "$real" "$root$real"
  if [ "$real" != "$src" ] && [ ! -e "$root$src" ] && [ ! -L "$root$src" ]; then
    mkdir -p "$root$(dirname "$src")"
    ln -s "$real" "$root$src"
  fi
}

# Debian's /lib64 and /lib are symlinks into /usr (merged /usr): the same links in ROOT, made
# first, so each library lands once, under /usr, and the loader's path still works.
for link in /lib64 /lib /bin /sbin; do
  if [ -L "$link" ] && [ ! -e "$root$link" ]; then
    target=$(readlink "$link")
    mkdir -p "$root/${target#/}"
    ln -s "$target" "$root$link"
  fi
done

mkdir -p "$root/usr/local/bin"
for exe in "$@"; do
  # Without debug info (-g makes them several times larger); the builder stage keeps the originals.
  install -m 0755 "$exe" "$root/usr/local/bin/$(basename "$exe")"
  strip --strip-unneeded "$root/usr/local/bin/$(basename "$exe")"
  # "libfoo.so.1 => /usr/lib/.../libfoo.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
  ldd "$exe" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
    copy "$lib"
  done
  if ldd "$exe" | grep -q "not found"; then
    echo "runtime-closure: $exe: unresolved libraries:" >&2
    ldd "$exe" | grep "not found" >&2
    exit 1
  fi
done

multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
if [ -d "/usr/lib/$multiarch/gconv" ]; then
  mkdir -p "$root/usr/lib/$multiarch"
  cp -a "/usr/lib/$multiarch/gconv" "$root/usr/lib/$multiarch/"
fi
if [ -f /usr/share/publicsuffix/public_suffix_list.dafsa ]; then
  copy /usr/share/publicsuffix/public_suffix_list.dafsa
fi
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  copy /etc/ssl/certs/ca-certificates.crt
fi

mkdir -p "$root/etc" "$root/tmp" "$root/state" "$root/config"
chmod 1777 "$root/tmp"
chown 10001:10001 "$root/state"
printf 'root:x:0:0:root:/:/nonexistent\ncrawler:x:10001:10001:crawler:/state:/nonexistent\n' >"$root/etc/passwd"
printf 'root:x:0:\ncrawler:x:10001:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
