// resolve: a DNS stub resolver (RFC 1035). For each name in its start text (args=NAME,NAME,...
// on the command line), it sends an A-record query with a random id from a random local port
// to the DNS server the interface was configured with (dns= or DHCP; with a timer it waits up to
// 30 s for a DHCP lease to bring one), waits up to 2 s for the
// answer (three tries), takes only a reply from that server's port 53 that matches its query
// (userspace/rt/dns.ts checks id, question, names and compression), and prints one line per
// address, "resolve: NAME A ADDRESS ttl SECONDS", or why there is none. Exit code: the number of
// names that got no address.

import { Console, ipv4Text, Network, Random, startText, Timer, UdpSocket } from "../../rt/index";
import { dnsBuildQuery, DNS_PORT, DNS_QUERY_MAXIMUM, dnsParseResponse, DnsResponse, DnsVerdict, DnsRcode } from "../../rt/dns";
import { KernelError } from "../../../abi/errors";

const TRIES = 3;
const WAIT_NANOSECONDS: u64 = 2_000_000_000;
const REPLY_MAXIMUM: usize = 1500;

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 100;
  const network = Network.granted(), random = Random.granted(), timer = Timer.granted();
  if (network === null || random === null) {
    console.line("resolve: needs a network grant (to port 53) and a random capability");
    return 101;
  }
  const text = startText();
  if (text.length == 0) {
    console.line("resolve: no names: give them as args=NAME,NAME,...");
    return 102;
  }
  // At boot the interface may still be asking DHCP: wait for its configuration, up to 30 s.
  let info = network.info();
  for (let waited = 0; waited < 300 && info !== null && info.dns == 0 && timer !== null; waited++) {
    timer!.sleep(100_000_000);
    info = network.info();
  }
  if (info === null || info.dns == 0) {
    console.line("resolve: the interface has no DNS server (dns= on the command line, or a DHCP lease)");
    return 103;
  }
  const socket = network.udp(0);
  if (socket === null) {
    console.line("resolve: no socket: error " + (-network.lastError).toString());
    return 104;
  }
  console.line("resolve: asking " + ipv4Text(info.dns) + " from port " + socket.port.toString());
  const names = text.split(",");
  let unanswered = 0;
  for (let i = 0; i < names.length; i++) {
    if (!resolve(console, random, socket, info.dns, names[i])) unanswered++;
  }
  console.line("resolve: done, " + (names.length - unanswered).toString() + " of " + names.length.toString() + " names answered");
  return unanswered;
}

function resolve(console: Console, random: Random, socket: UdpSocket, server: u32, name: string): bool {
  const query = memory.data(<i32>DNS_QUERY_MAXIMUM, 8);
  const reply = memory.data(<i32>REPLY_MAXIMUM, 8);
  const idBytes = memory.data(8, 8);
  const response = new DnsResponse();
  for (let attempt = 0; attempt < TRIES; attempt++) {
    random.fill(idBytes, 2);
    const id = <u32>load<u16>(idBytes);
    const length = dnsBuildQuery(query, DNS_QUERY_MAXIMUM, id, name);
    if (length < 0) {
      console.line("resolve: " + name + ": not a name that can be asked (" + (length == -KernelError.InvalidArgument ? "labels of 1..63 characters, 255 in all" : "too long") + ")");
      return false;
    }
    const sent = socket.send(query, <usize>length, server, DNS_PORT);
    if (sent < 0) {
      console.line("resolve: " + name + ": send failed: error " + (-sent).toString());
      return false;
    }
    // Replies that are not this query's answer (another id, another sender) are ignored.
    for (;;) {
      const received = socket.receive(reply, REPLY_MAXIMUM, WAIT_NANOSECONDS);
      if (received == -KernelError.TimedOut) break;
      if (received < 0) {
        console.line("resolve: " + name + ": receive failed: error " + (-received).toString());
        return false;
      }
      if (socket.peer != server || socket.peerPort != DNS_PORT) continue;
      const verdict = dnsParseResponse(reply, <u32>received, query, <u32>length, response);
      if (verdict == DnsVerdict.Answered) {
        for (let i = 0; i < response.addressCount; i++) {
          console.line("resolve: " + name + " A " + ipv4Text(response.addresses[i]) + " ttl " + response.ttls[i].toString());
        }
        return true;
      }
      if (verdict == DnsVerdict.NoAddress) { console.line("resolve: " + name + ": no address (no A record)"); return false; }
      if (verdict == DnsVerdict.ServerError) {
        console.line("resolve: " + name + ": " + (response.rcode == DnsRcode.NameError ? "no such name (NXDOMAIN)" : "server error, rcode " + response.rcode.toString()));
        return false;
      }
      if (verdict == DnsVerdict.Truncated) { console.line("resolve: " + name + ": the answer was truncated (TCP is not supported)"); return false; }
      // A malformed reply or another query's: keep waiting for this one.
    }
  }
  console.line("resolve: " + name + ": no answer after " + TRIES.toString() + " tries");
  return false;
}
