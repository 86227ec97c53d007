// net-check: what a network grant allows and refuses, seen from a process (the real-peer test
// tests/qemu/net.test.ts starts it with init=net-check; its grant: local ports 5000..5999, peers
// in 10.0.2.0/24). Each step prints "net-check: PASS what" or "net-check: FAIL what: seen":
// binding within and outside the grant, a port taken twice, restrict narrowing and refusing to
// widen, a narrowed grant reaching only its one peer and port, a receive's timeout, a spawn
// refusing a grant wider than the child's manifest allows, and a child with no grant
// (net-denied) trying to send its marker, and datagrams to its own address and to 127.0.0.1
// arriving from there without touching the wire (the capture must never see their marker;
// the grant adds 127.0.0.0/8, ports 5000..5999, for the second). Then it sends the control marker to 10.0.2.1:9999,
// which the test's capture must see (and never net-denied's), and echoes one datagram from the
// host on port 5353 back to prove receive works with a peer's address.

import { Console, ExitKind, ipv4Text, Memory, Network, ProcessSpawner, Steps, Timer, UdpSocket } from "../../rt/index";
import { KernelError } from "../../../abi/errors";

const HOST: u32 = 0x0a000201;   // 10.0.2.1
const OTHER: u32 = 0x0a000202;  // 10.0.2.2: in the grant, not in the narrowed one
const OUTSIDE: u32 = 0x0a000301; // 10.0.3.1: outside the grant
const MARKER = "CAPSID-MARKER-GRANTED";
const LOCAL_MARKER = "CAPSID-MARKER-LOCAL";
const LOOPBACK: u32 = 0x7f000001;   // 127.0.0.1

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 1;
  const steps = new Steps(console, "net-check");
  const network = Network.granted(), quota = Memory.granted(), spawner = ProcessSpawner.granted(), timer = Timer.granted();
  if (network === null || quota === null || spawner === null || timer === null) {
    steps.step("grants", "net-check needs network, memory, process-spawner and timer from its manifest");
    return 2;
  }
  const buffer = memory.data(2048, 16);

  const socket = network.udp(5353);
  check(steps, "bind within the grant", socket !== null && socket.port == 5353, "udp(5353) gave " + network.lastError.toString());
  const outside = network.udp(80);
  check(steps, "bind outside the grant is NotPermitted", outside === null && network.lastError == -KernelError.NotPermitted, "udp(80) gave " + network.lastError.toString());
  const twice = network.udp(5353);
  check(steps, "a port bound twice is AddressInUse", twice === null && network.lastError == -KernelError.AddressInUse, "gave " + network.lastError.toString());
  const any = network.udp(0);
  check(steps, "port 0 picks a free port in the grant", any !== null && any.port >= 5000 && any.port <= 5999, any === null ? network.lastError.toString() : any.port.toString());
  if (any !== null) any.close();
  const again = network.udp(5353);
  check(steps, "the port is still held", again === null, "a second socket bound 5353");

  // A grant narrowed to one peer and one port reaches nothing else.
  const narrow = network.restrict(5100, 5100, HOST, 32, 9000, 9000);
  check(steps, "restrict narrows", narrow !== null, "restrict gave " + network.lastError.toString());
  const wider = network.restrict(5000, 5999, 0, 0, 1, 65535);
  check(steps, "restrict cannot widen (all peers)", wider === null && network.lastError == -KernelError.NotPermitted, "gave " + network.lastError.toString());
  const widerPorts = network.restrict(4000, 5999, HOST, 32, 1, 65535);
  check(steps, "restrict cannot widen (local ports)", widerPorts === null && network.lastError == -KernelError.NotPermitted, "gave " + network.lastError.toString());
  if (narrow !== null) {
    const narrowSocket = narrow.udp(0);
    check(steps, "the narrowed grant binds its one port", narrowSocket !== null && narrowSocket.port == 5100, "gave " + narrow.lastError.toString());
    if (narrowSocket !== null) {
      fill(buffer, "narrow");
      check(steps, "the narrowed grant sends to its peer and port", narrowSocket.send(buffer, 6, HOST, 9000) == 6, "send gave an error");
      const otherPort = narrowSocket.send(buffer, 6, HOST, 9001);
      check(steps, "the narrowed grant refuses another port", otherPort == -KernelError.NotPermitted, "gave " + otherPort.toString());
      const otherPeer = narrowSocket.send(buffer, 6, OTHER, 9000);
      check(steps, "the narrowed grant refuses another peer", otherPeer == -KernelError.NotPermitted, "gave " + otherPeer.toString());
      narrowSocket.close();
    }
  }
  if (socket !== null) {
    const outsidePeer = socket.send(buffer, 6, OUTSIDE, 9000);
    check(steps, "a peer outside the grant is NotPermitted", outsidePeer == -KernelError.NotPermitted, "gave " + outsidePeer.toString());
    const start = timer.now();
    const timed = socket.receive(buffer, 2048, 50_000_000);
    const waited = timer.now() - start;
    check(steps, "a receive with nothing to take times out", timed == -KernelError.TimedOut && waited >= 50_000_000, "gave " + timed.toString() + " after " + waited.toString() + " ns");
  }

  if (socket !== null) local(steps, network, socket, buffer);

  // A spawn may not pass a grant wider than the child's manifest ceiling (net-denied has none
  // at all), and the child, holding none, cannot send.
  const childMemory = quota.split(256);
  if (childMemory === null) { steps.step("split", quota.lastError.toString()); return 3; }
  const refused = spawner.spawn("net-denied", [console.handle, childMemory.handle, network.handle], 0);
  check(steps, "a spawn cannot pass a network grant the child's manifest does not allow", refused === null && spawner.lastError == -KernelError.NotPermitted,
    "spawn gave " + spawner.lastError.toString());
  const child = spawner.spawn("net-denied", [console.handle, childMemory.handle], 0);
  childMemory.release();
  if (child === null) { steps.step("spawn net-denied", spawner.lastError.toString()); return 4; }
  const status = child.wait();
  check(steps, "net-denied ran", status !== null && status.kind == ExitKind.Exited && status.code == 0, status === null ? "wait failed" : "exit " + status.code.toString());

  if (socket === null) return 5;
  fill(buffer, MARKER);
  const sent = socket.send(buffer, MARKER.length, HOST, 9999);
  check(steps, "the control marker is sent", sent == MARKER.length, "send gave " + sent.toString());
  console.line("net-check: ready for a datagram on 5353");
  const length = socket.receive(buffer, 2048, 20_000_000_000);
  if (length < 0) {
    steps.step("a datagram from the host", "receive gave " + length.toString());
    return 6;
  }
  check(steps, "the datagram came from the host", socket.peer == HOST, "from " + socket.peer.toString(16));
  const echoed = socket.send(buffer, <usize>length, socket.peer, socket.peerPort);
  check(steps, "echoed to its sender", echoed == length, "send gave " + echoed.toString());
  console.line("net-check: done");
  return 0;
}

/** Datagrams to this host's own address and to 127.0.0.1 arrive on `socket` from there, whole. */
function local(steps: Steps, network: Network, socket: UdpSocket, buffer: usize): void {
  const info = network.info();
  const sender = network.udp(5400);
  if (info === null || sender === null) {
    steps.step("local delivery", "info or udp(5400) gave " + network.lastError.toString());
    return;
  }
  const destinations: u32[] = [info.address, LOOPBACK];
  for (let i = 0; i < destinations.length; i++) {
    const destination = destinations[i];
    const name = destination == LOOPBACK ? "127.0.0.1" : "its own address";
    fill(buffer, LOCAL_MARKER);
    store<u8>(buffer + <usize>LOCAL_MARKER.length, <u8>(0x30 + i));
    const length = LOCAL_MARKER.length + 1;
    const sent = sender.send(buffer, length, destination, 5353);
    check(steps, "a datagram to " + name + " is sent", sent == length, "send gave " + sent.toString());
    memory.fill(buffer, 0, length);
    const got = socket.receive(buffer, 2048, 1_000_000_000);
    const whole = got == length && load<u8>(buffer + <usize>LOCAL_MARKER.length) == <u8>(0x30 + i) && load<u8>(buffer) == <u8>0x43;
    check(steps, "it arrives from " + name + " (" + ipv4Text(destination) + ":5400), whole", whole && socket.peer == destination && socket.peerPort == 5400,
      "receive gave " + got.toString() + " from " + ipv4Text(socket.peer) + ":" + socket.peerPort.toString());
  }
  sender.close();
}

function check(steps: Steps, name: string, ok: bool, seen: string): void {
  steps.step(name, ok ? "" : seen);
}

function fill(buffer: usize, text: string): void {
  for (let i = 0; i < text.length; i++) store<u8>(buffer + <usize>i, <u8>text.charCodeAt(i));
}
