#!/usr/bin/env bash
# Installs everything cairn needs to build and test, from Debian's packages only.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  git                    # tests: repositories made in the test, `git daemon` as a git:// remote
  openssh-client         # ssh-keygen: verifying ssh commit signatures (--require-signed), tests
  openssh-server         # tests: only the sshd binary, which the `cairn watch` ssh tests start
                         # themselves (the system service is kept from starting, see below)
  gpgv                   # verifying gpg commit signatures (--require-signed)
  gpg gpg-agent          # tests: signing commits with a gpg key made in the test
  liblua5.4-dev          # plugin host (Lua 5.4 C API)
  libyaml-cpp-dev        # blueprint loader
  libgit2-dev            # blueprints in git
  libre2-dev             # schema patterns: linear-time matching, Kubernetes' own regex dialect
  libcurl4-openssl-dev   # http host module
  libmimalloc-dev        # the cairn binary's allocator (glibc's malloc was ~40% of a plan)
  libssl-dev openssl     # crypto host module, TLS tests
  libdeflate-dev         # the Kubernetes emulator gzips large LISTs (3x faster than zlib)
  libgtest-dev libgmock-dev
  nlohmann-json3-dev     # state files, schema, json host module
  libcli11-dev           # command line parsing and help
  libcpp-httplib-dev     # test servers (HTTPS, API emulators)
  etcd-server            # the etcd state backend's tests start real etcd members
  python3 time           # bench/run.sh (its smoke test runs in ctest): generators, /usr/bin/time
  pdns-server pdns-backend-sqlite3 sqlite3  # the powerdns provider's tests run a real PowerDNS
  bind9-dnsutils         # dig: those tests check every applied record with a DNS query
  zsh                    # tests: `cairn completion zsh` is parsed, loaded with compinit and run
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # Packages with a service (openssh-server, etcd-server, pdns-server) would start it from
  # their postinst; the tests start their own servers, and without systemd the start can fail
  # the install. A policy-rc.d answering 101 ("action forbidden") keeps them stopped during
  # the install; it is removed afterwards unless the machine already had one.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    trap '$sudo rm -f "$policy"' EXIT
  fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
