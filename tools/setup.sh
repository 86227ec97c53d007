#!/usr/bin/env bash
# Setup step: makes sure every tool the build and the tests need is present, at the version the
# build was written against. Called by `make` before any build, test or benchmark target.
# Installs missing Debian packages when run as root with apt-get available; otherwise fails
# with a message naming what is missing and the command that installs it. Installs npm
# dependencies from package-lock.json when node_modules is missing or older than the lock.
set -euo pipefail
cd "$(dirname "$0")/.."

WABT_VERSION=1.0.32   # pinned: wasm2c's generated names (Z_...) change in later releases

# command-or-file  debian-package
REQUIREMENTS=(
  "wasm2c                              wabt"
  "qemu-system-x86_64                  qemu-system-x86"
  "grub-mkrescue                       grub-common"
  "/usr/lib/grub/i386-pc/modinfo.sh    grub-pc-bin"
  "/usr/lib/grub/x86_64-efi/modinfo.sh grub-efi-amd64-bin"
  "xorriso                             xorriso"
  "mformat                             mtools"
  "/usr/share/OVMF/OVMF_CODE.fd        ovmf"
  "/usr/share/seabios/bios-256k.bin    seabios"
  "gcc                                 gcc"
  "/usr/lib/x86_64-linux-gnu/libc.a    libc6-dev"
  "ld                                  binutils"
  "nm                                  binutils"
  "make                                make"
  "ip                                  iproute2"
  "tcpdump                             tcpdump"
  "ping                                iputils-ping"
  "/usr/bin/python3                    python3"
  "socat                               socat"
  "nc.openbsd                          netcat-openbsd"
  "curl                                curl"
  "hping3                              hping3"
  "dnsmasq                             dnsmasq-base"
  "/usr/lib/python3/dist-packages/scapy/__init__.py python3-scapy"
  "/usr/share/consolefonts/Uni2-VGA16.psf.gz console-setup-linux"
  "musl-gcc                            musl-tools"
  "/bin/busybox                        busybox-static"
)
# make run shows the screen in a window where there is a display to show it on (else on VNC).
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  REQUIREMENTS+=("/usr/lib/x86_64-linux-gnu/qemu/ui-gtk.so qemu-system-gui")
fi

missing_packages=()
for requirement in "${REQUIREMENTS[@]}"; do
  read -r probe package <<<"$requirement"
  if [[ "$probe" == /* ]]; then
    [[ -e "$probe" ]] || missing_packages+=("$package")
  else
    command -v "$probe" >/dev/null 2>&1 || missing_packages+=("$package")
  fi
done

if ((${#missing_packages[@]})); then
  # shellcheck disable=SC2207
  missing_packages=($(printf '%s\n' "${missing_packages[@]}" | sort -u))
  install_command="apt-get install -y --no-install-recommends ${missing_packages[*]}"
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${missing_packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends ${missing_packages[*]} >/dev/null
  else
    echo "setup: missing Debian packages: ${missing_packages[*]}" >&2
    echo "setup: install them with: sudo $install_command" >&2
    exit 1
  fi
fi

actual_wabt=$(wasm2c --version 2>/dev/null || true)
if [[ "$actual_wabt" != "$WABT_VERSION" ]]; then
  echo "setup: wasm2c is version '$actual_wabt'; Capsid needs exactly $WABT_VERSION (Debian 12's wabt)." >&2
  echo "setup: install it with: sudo apt-get install wabt=$WABT_VERSION-1" >&2
  exit 1
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
  echo "setup: Node.js 20 or newer is needed (found '$(node --version 2>/dev/null || echo none)')." >&2
  exit 1
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm dependencies (npm ci)"
  npm ci --no-fund --no-audit --loglevel=error >/dev/null
fi
