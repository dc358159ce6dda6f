#!/usr/bin/env bash
# The .deb as a user gets it. Builds the package (`tauri build --bundles deb`: the release app
# and, built before bundling, the release `ferry` command as /usr/bin/ferry), installs it with
# `apt-get install ./ferry.deb` on a clean Debian 12 (a `debootstrap --variant=minbase
# bookworm` chroot), and checks there that `ferry --version` runs, that neither binary misses
# a library (ldd), and that the desktop app starts and stays up for 5 s under xvfb-run.
#
# The chroot is made once and kept as a tarball under the target dir (deb-test/), with the
# packages apt downloaded: a second run unpacks it and downloads nothing. Every step has a
# time limit. FERRY_DEB_SKIP_BUILD=1 tests the package already built. Run as root (chroot).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}")
cache="$target_dir/deb-test"
mirror="${FERRY_DEB_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$cache/apt-archives/partial"
started=$SECONDS

step() { echo "== test-deb: $* ($((SECONDS - started)) s)"; }
fail() { echo "test-deb: FAILED: $*" >&2; exit 1; }

# --- the package -------------------------------------------------------------------------------
if [[ -z ${FERRY_DEB_SKIP_BUILD:-} ]]; then
  step "building the package (release; the first build takes a while)"
  # The `ferry` the package ships is the one in this target dir (the config's default is
  # target/release/ferry, relative to tauri.conf.json).
  files="{\"bundle\":{\"linux\":{\"deb\":{\"files\":{\"/usr/bin/ferry\":\"$target_dir/release/ferry\"}}}}}"
  timeout 5400 npm --prefix ui run --silent tauri -- build --bundles deb --config "$files"
fi
deb=$(ls -t "$target_dir"/release/bundle/deb/*.deb 2>/dev/null | head -n 1 || true)
[[ -n $deb ]] || fail "no .deb under $target_dir/release/bundle/deb"
step "package: $deb ($(du -h "$deb" | cut -f1))"
contents=$(dpkg-deb -c "$deb")
grep -Eq ' (\./)?usr/bin/ferry$' <<<"$contents" || fail "the package holds no /usr/bin/ferry"
grep -Eq ' (\./)?usr/bin/ferry-app$' <<<"$contents" || fail "the package holds no /usr/bin/ferry-app"
recommends=$(dpkg-deb -f "$deb" Recommends)
for r in postgresql-client mariadb-client; do
  grep -q "$r" <<<"$recommends" || fail "the package does not recommend $r (Recommends: $recommends)"
done

# --- a clean Debian 12 ---------------------------------------------------------------------------
tarball="$cache/bookworm-minbase.tar"
if [[ ! -f $tarball ]]; then
  command -v debootstrap >/dev/null || fail "debootstrap is not installed (scripts/setup.sh installs it)"
  step "making a clean Debian 12 with debootstrap (once; kept as $tarball)"
  fresh="$cache/fresh"
  rm -rf "$fresh"
  timeout 1200 debootstrap --variant=minbase bookworm "$fresh" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -n 30 "$cache/debootstrap.log" >&2; fail "debootstrap"; }
  tar -C "$fresh" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
  rm -rf "$fresh"
fi
root=$(mktemp -d "$cache/root.XXXXXX")
mounted=()
cleanup() {
  local m
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
step "unpacking the clean system"
tar -C "$root" -xf "$tarball"
for m in proc sys dev dev/pts dev/shm; do
  mount --bind "/$m" "$root/$m"
  mounted+=("$root/$m")
done
# apt's downloads are kept across runs.
mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
mounted+=("$root/var/cache/apt/archives")
echo 'APT::Keep-Downloaded-Packages "true";' >"$root/etc/apt/apt.conf.d/90keep"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/ferry.deb"
# A command in the clean system, with a clean environment (`timeout "${in_root[@]}" …`).
in_root=(chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)

# --- install it as a user does -----------------------------------------------------------------
step "apt-get install ./ferry.deb"
timeout 600 "${in_root[@]}" apt-get update -q >"$cache/apt.log" 2>&1 || { tail -n 20 "$cache/apt.log" >&2; fail "apt-get update"; }
# With its recommends, as apt installs it by default: they must exist in Debian 12.
timeout 1200 "${in_root[@]}" apt-get install -y -q /tmp/ferry.deb >>"$cache/apt.log" 2>&1 \
  || { tail -n 30 "$cache/apt.log" >&2; fail "apt-get install ./ferry.deb"; }
for tool in pg_dump mariadb-dump; do
  timeout 20 "${in_root[@]}" "$tool" --version >/dev/null || fail "$tool (recommended for native backups) is not there"
done

step "ferry --version"
version=$(timeout 20 "${in_root[@]}" ferry --version) || fail "ferry --version did not run"
echo "$version"
[[ $version == "ferry "* ]] || fail "ferry --version printed: $version"
timeout 20 "${in_root[@]}" ferry --help >/dev/null || fail "ferry --help"

for bin in /usr/bin/ferry /usr/bin/ferry-app; do
  missing=$(timeout 20 "${in_root[@]}" ldd "$bin" | grep 'not found' || true)
  [[ -z $missing ]] || fail "$bin misses libraries: $missing"
done
echo "ldd: no library missing"

# The app: started under Xvfb (installed for the check), alive after 5 s.
step "the desktop app under xvfb-run"
timeout 600 "${in_root[@]}" apt-get install -y -q --no-install-recommends xvfb xauth >>"$cache/apt.log" 2>&1 \
  || { tail -n 30 "$cache/apt.log" >&2; fail "apt-get install xvfb"; }
timeout 60 "${in_root[@]}" xvfb-run -a sh -c '
  ferry-app >/tmp/app.log 2>&1 & pid=$!
  sleep 5
  if kill -0 $pid 2>/dev/null; then echo "the app is up after 5 s"; kill $pid; wait $pid 2>/dev/null; exit 0; fi
  echo "the app exited within 5 s:"; cat /tmp/app.log; exit 1' || fail "the desktop app did not stay up"

step "passed"
