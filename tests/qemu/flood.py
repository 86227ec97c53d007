#!/usr/bin/python3
# The hostile-input flood of issue 16 (run by tests/qemu/flood.test.ts inside the test's network
# namespace, as root): at least COUNT mutated raw Ethernet frames written into tap0 towards the
# guest, while a UDP echo exchange with the guest's udp-echo (port 7) runs beside them; then a
# quiet exchange that must come back whole. Base frames are built with scapy (Debian's
# python3-scapy) and aimed at the parsers that hurt other stacks: IPv4 options, overlapping and
# out-of-range fragments, ARP with mismatched lengths, DHCP options, DNS names with compression
# loops, ICMP errors quoting garbage, VLAN tags and unknown EtherTypes. Each frame sent is one of
# them mutated (bits flipped, bytes overwritten, truncated, extended, a header region randomized),
# all from one seeded generator: the seed is printed, and `--seed` replays a run.
#
# Usage: flood.py --seed N [--count 100000] [--rate 10000] [--guest-mac M] [--guest 10.0.2.15]
# Prints one JSON object on its last line: the seed, frames written, frames the tap handed to
# QEMU (written less its tx_dropped), echoes during and after the flood (answered, lost, corrupt).

import argparse
import json
import os
import random
import socket
import struct
import sys
import threading
import time

import scapy.all as scapy
from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import ICMP, IP, UDP, IPOption_NOP, IPOption_RR, IPOption_Timestamp, IPOption_LSRR
from scapy.layers.l2 import ARP, Dot1Q, Ether

HOST = "10.0.2.1"
TOKEN_LENGTH = 16


def base_frames(rng: random.Random, guest_mac: str, guest: str) -> list:
    """The unmutated corpus: valid and deliberately malformed frames, as bytes."""
    frames = []
    def source_mac() -> str:
        return "02:00:00:%02x:%02x:%02x" % (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    def source_ip() -> str:
        # Never the host's own address: the echo exchange beside the flood needs the guest's
        # neighbour entry for HOST intact (a mutation may still hit it; the flood ends with a
        # genuine ARP request from HOST, as the host's own ARP would send).
        return "10.0.2.%d" % rng.randrange(100, 200)
    for destination in (guest_mac, "ff:ff:ff:ff:ff:ff"):
        # ARP: the right lengths, and mismatched ones (hardware 0, 16, 255; protocol 0, 16, 255).
        for hwlen, plen in ((6, 4), (0, 4), (16, 4), (6, 0), (6, 16), (255, 255)):
            for op in (1, 2, 3):
                frames.append(bytes(Ether(dst=destination, src=source_mac()) /
                                    ARP(op=op, hwlen=hwlen, plen=plen, psrc=source_ip(), pdst=guest)))
    mac = guest_mac
    # ICMP echo with every kind of IPv4 option, well-formed and not.
    options = [
        [IPOption_NOP()], [IPOption_RR()], [IPOption_LSRR(routers=["10.0.2.1", "10.0.2.2"])],
        [IPOption_Timestamp()], b"\x44\x02\x00\x00", b"\x07\x00\x00\x00", b"\x83\xff\x00\x00",
        b"\x01" * 40, b"\x94\x04\x00\x00", b"\x00\x00\x00\x00",
    ]
    for option in options:
        frames.append(bytes(Ether(dst=mac, src=source_mac()) / IP(src=source_ip(), dst=guest, options=option) /
                            ICMP(type=8, id=rng.randrange(65536), seq=1) / (b"x" * 32)))
    # Fragments: in order, overlapping, past 64 KiB, a middle one not a multiple of 8, a second end.
    for _ in range(24):
        identifier = rng.randrange(65536)
        offset = rng.choice([0, 1, 8, 100, 185, 1000, 8189, 8191])
        flags = rng.choice([0, 1, 2, 3])
        payload = bytes(rng.randrange(256) for _ in range(rng.choice([8, 16, 100, 1000, 1400])))
        frames.append(bytes(Ether(dst=mac, src=source_mac()) /
                            IP(src=source_ip(), dst=guest, id=identifier, frag=offset, flags=flags, proto=rng.choice([1, 17])) / payload))
    # UDP: to the echo port, a closed port, the DHCP client port, with and without checksums.
    for port in (7, 7, 7, 9, 53, 68, 4242, 65535):
        payload = bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 32, 512, 1472])))
        frames.append(bytes(Ether(dst=mac, src=source_mac()) / IP(src=source_ip(), dst=guest) /
                            UDP(sport=rng.randrange(1024, 65536), dport=port) / payload))
    # DHCP offers and acknowledgements with odd options (overload, lengths past the end, pads).
    for message in (2, 5, 6):
        dhcp_options = [("message-type", message), ("server_id", HOST), ("lease_time", rng.choice([0, 1, 0xffffffff])),
                        ("subnet_mask", "255.255.255.0"), ("router", "10.0.2.1"), ("name_server", "10.0.2.1"), "end"]
        packet = (Ether(dst=rng.choice([mac, "ff:ff:ff:ff:ff:ff"]), src=source_mac()) / IP(src=source_ip(), dst="255.255.255.255") /
                  UDP(sport=67, dport=68) / BOOTP(op=2, yiaddr=guest, chaddr=bytes.fromhex(mac.replace(":", "")), xid=rng.randrange(1 << 32)) /
                  DHCP(options=dhcp_options))
        frames.append(bytes(packet))
        raw = bytearray(bytes(packet))
        raw[-8:] = bytes([52, 1, 3, 55, 200, 0, 0, 255])   # option overload, then a length past the end
        frames.append(bytes(raw))
    # DNS answers to random ports: a name compressed into a loop, a pointer past the end.
    for _ in range(6):
        dns = bytes(DNS(id=rng.randrange(65536), qr=1, qd=DNSQR(qname="a.example"), an=DNSRR(rrname="a.example", rdata="10.0.2.9")))
        loop = bytearray(dns)
        loop[12:14] = b"\xc0\x0c"   # the question's name points at itself
        for body in (dns, bytes(loop), dns[:-3] + b"\xc0\xff"):
            frames.append(bytes(Ether(dst=mac, src=source_mac()) / IP(src=source_ip(), dst=guest) /
                                UDP(sport=53, dport=rng.choice([53, 1024 + rng.randrange(64000)])) / body))
    # ICMP errors quoting a header that was never sent, and other ICMP types.
    for icmp_type, code in ((3, 3), (3, 4), (11, 0), (5, 1), (0, 0), (13, 0), (255, 255)):
        quoted = bytes(IP(src=guest, dst=source_ip()) / UDP(sport=7, dport=rng.randrange(65536)))
        frames.append(bytes(Ether(dst=mac, src=source_mac()) / IP(src=source_ip(), dst=guest) / ICMP(type=icmp_type, code=code) / quoted))
    # VLAN tags, IPv6 and unknown EtherTypes, runts and near-maximal frames.
    frames.append(bytes(Ether(dst=mac, src=source_mac()) / Dot1Q(vlan=5) / IP(src=source_ip(), dst=guest) / ICMP()))
    frames.append(bytes(Ether(dst=mac, src=source_mac(), type=0x86dd) / (b"\x60" + b"\x00" * 39)))
    for ethertype in (0x0000, 0x0600, 0x88b5, 0xffff):
        frames.append(bytes(Ether(dst=mac, src=source_mac(), type=ethertype) / (b"\xaa" * 46)))
    frames.append(bytes(Ether(dst=mac, src=source_mac(), type=0x0800)))
    frames.append(bytes(Ether(dst=mac, src=source_mac()) / IP(src=source_ip(), dst=guest) / UDP(dport=7) / (b"z" * 1472)))
    # scapy's own field fuzzing of the main headers.
    for _ in range(64):
        layer = rng.choice([IP(dst=guest) / ICMP(), IP(dst=guest) / UDP(dport=7) / b"fuzz", ARP(pdst=guest)])
        frames.append(bytes(Ether(dst=mac, src=source_mac()) / scapy.fuzz(layer)))
    return frames


def mutate(rng: random.Random, frame: bytes) -> bytes:
    """One mutation of `frame`; the destination MAC is kept nine times in ten, so the guest sees it."""
    data = bytearray(frame)
    start = 6 if rng.random() < 0.9 else 0
    kind = rng.randrange(6)
    if kind == 0:   # a few bits flipped
        for _ in range(rng.randrange(1, 9)):
            position = rng.randrange(start, len(data))
            data[position] ^= 1 << rng.randrange(8)
    elif kind == 1:   # bytes overwritten
        for _ in range(rng.randrange(1, 5)):
            data[rng.randrange(start, len(data))] = rng.randrange(256)
    elif kind == 2:   # truncated (runts included)
        data = data[:rng.randrange(0, len(data) + 1)]
    elif kind == 3:   # extended with garbage
        data += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    elif kind == 4:   # a header region randomized: Ethernet type and the IPv4 or ARP header
        end = min(len(data), 14 + 28)
        for position in range(12, end):
            if rng.random() < 0.3:
                data[position] = rng.randrange(256)
    # kind 5: sent as it is (a well-formed or deliberately malformed base frame)
    return bytes(data[:1514])


class Echo:
    """UDP echo against the guest: each datagram a random token and a sequence number."""

    def __init__(self, guest: str, timeout: float):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.timeout = timeout
        self.guest = guest
        self.answered = self.lost = self.corrupt = self.stray = 0

    def one(self, rng: random.Random) -> None:
        token = os.urandom(TOKEN_LENGTH)
        payload = token + bytes(rng.randrange(256) for _ in range(rng.randrange(0, 1000)))
        self.socket.sendto(payload, (self.guest, 7))
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.lost += 1
                return
            self.socket.settimeout(remaining)
            try:
                data, peer = self.socket.recvfrom(65536)
            except socket.timeout:
                self.lost += 1
                return
            if data[:TOKEN_LENGTH] != token:
                self.stray += 1   # a late echo of an earlier datagram, or the flood's own
                continue
            if data == payload and peer == (self.guest, 7):
                self.answered += 1
            else:
                self.corrupt += 1
            return

    def figures(self) -> dict:
        return {"answered": self.answered, "lost": self.lost, "corrupt": self.corrupt, "stray": self.stray}


def tap_counter(name: str) -> int:
    with open(f"/sys/class/net/tap0/statistics/{name}") as file:
        return int(file.read())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=100_000, help="flood frames the tap must have passed on to QEMU")
    parser.add_argument("--rate", type=int, default=10_000, help="frames written per second at most")
    parser.add_argument("--seconds", type=float, default=120.0, help="give up writing after this long")
    parser.add_argument("--after", type=int, default=500, help="echoes after the flood, each must come back")
    parser.add_argument("--guest-mac", default="52:54:00:c0:ff:ee")
    parser.add_argument("--guest", default="10.0.2.15")
    arguments = parser.parse_args()
    print(f"flood: seed {arguments.seed}", flush=True)
    rng = random.Random(arguments.seed)
    scapy.conf.verb = 0
    random.seed(arguments.seed)   # scapy's fuzz() draws from the module's generator
    corpus = base_frames(rng, arguments.guest_mac, arguments.guest)
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    raw.bind(("tap0", 0))

    # The echo exchange beside the flood (its own generator, so the flood's stays replayable).
    during = Echo(arguments.guest, 0.5)
    stop = threading.Event()
    def exchange() -> None:
        echo_rng = random.Random(arguments.seed + 1)
        while not stop.is_set():
            during.one(echo_rng)
    thread = threading.Thread(target=exchange)
    thread.start()

    written = refused = 0
    dropped_before = tap_counter("tx_dropped")
    began = time.monotonic()
    batch = max(1, arguments.rate // 100)
    # The tap's tx_packets also counts the echo exchange; its tx_dropped are the frames QEMU did
    # not take in time, and the echo exchange sends too little to fill the queue.
    while written - (tap_counter("tx_dropped") - dropped_before) < arguments.count and time.monotonic() - began < arguments.seconds:
        batch_began = time.monotonic()
        for _ in range(batch):
            frame = mutate(rng, rng.choice(corpus))
            try:
                raw.send(frame)
                written += 1
            except OSError:
                refused += 1   # shorter than an Ethernet header, or the tap's queue full
        pause = batch / arguments.rate - (time.monotonic() - batch_began)
        if pause > 0:
            time.sleep(pause)
    elapsed = time.monotonic() - began
    stop.set()
    thread.join()
    time.sleep(1.0)
    dropped = tap_counter("tx_dropped") - dropped_before
    delivered = written - dropped

    # What the host's own ARP would say: HOST is at the tap's MAC (a mutated frame may have told
    # the guest otherwise, as any host on a shared wire could).
    with open("/sys/class/net/tap0/address") as file:
        host_mac = file.read().strip()
    for _ in range(3):
        raw.send(bytes(Ether(dst=arguments.guest_mac, src=host_mac) / ARP(op=1, hwsrc=host_mac, psrc=HOST, pdst=arguments.guest)))
    time.sleep(0.2)

    after = Echo(arguments.guest, 2.0)
    after_rng = random.Random(arguments.seed + 2)
    for _ in range(arguments.after):
        after.one(after_rng)
        if after.lost >= 5:
            break   # the guest is gone or deaf: say so now rather than after every timeout
    print(json.dumps({
        "seed": arguments.seed, "corpus": len(corpus), "written": written, "refused": refused,
        "delivered": delivered, "dropped": dropped, "seconds": round(elapsed, 1),
        "during": during.figures(), "after": after.figures(),
    }), flush=True)


if __name__ == "__main__":
    main()
