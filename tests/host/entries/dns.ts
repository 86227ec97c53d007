// Host-test entry for the DNS messages of the user runtime (userspace/rt/dns.ts):
// tests/host/dns.test.ts builds queries here and hands responses it builds flush against the end
// of linear memory (a read past their length traps). A seeded mutation fuzz runs here in wasm:
// each round copies one seed response, mutates it (bytes, lengths, and compression pointers
// written at random), places it at the end of memory and parses it against the seeds' query.

import { DNS_QUERY_MAXIMUM, DNS_VERDICTS, dnsBuildQuery, dnsParseResponse, DnsResponse } from "../../../userspace/rt/dns";
import { memoryEnd } from "./top-of-memory";

export { memoryEnd, reserveTop } from "./top-of-memory";

const MESSAGE_MAXIMUM: u32 = 1024;
const SEEDS: i32 = 8;
const QUERY = memory.data(<i32>DNS_QUERY_MAXIMUM, 8);
const BUFFER = memory.data(<i32>MESSAGE_MAXIMUM, 8);
const CORPUS = memory.data(SEEDS * <i32>MESSAGE_MAXIMUM, 8);

class World {
  response: DnsResponse = new DnsResponse();
  queryLength: u32 = 0;
  lengths: StaticArray<u32> = new StaticArray<u32>(SEEDS);
  counts: StaticArray<u64> = new StaticArray<u64>(DNS_VERDICTS);
  random: u64 = 1;
}
const world = new World();

export function queryAddress(): usize { return QUERY; }
export function corpusAddress(index: i32): usize { return CORPUS + <usize>index * MESSAGE_MAXIMUM; }
export function setCorpusLength(index: i32, length: u32): void { world.lengths[index] = length; }

/** Builds the query for `name` into QUERY with `capacity` bytes; returns dnsBuildQuery's result. */
export function buildQuery(id: u32, name: string, capacity: u32): i32 {
  const result = dnsBuildQuery(QUERY, capacity, id, name);
  world.queryLength = result > 0 ? <u32>result : 0;
  return result;
}
export function parse(address: usize, length: u32): i32 {
  return <i32>dnsParseResponse(address, length, QUERY, world.queryLength, world.response);
}
export function id(): u32 { return world.response.id; }
export function rcode(): u32 { return world.response.rcode; }
export function truncated(): bool { return world.response.truncated; }
export function addressCount(): i32 { return world.response.addressCount; }
export function address(index: i32): u32 { return world.response.addresses[index]; }
export function ttl(index: i32): u32 { return world.response.ttls[index]; }
export function cnames(): u32 { return world.response.cnames; }

function next(): u64 {
  let x = world.random;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  world.random = x;
  return x;
}

/** Parses `rounds` mutations of the seed responses (`seeds` of them) from `seed` against the
 * query built last; the verdicts go to count(). */
export function fuzz(seed: u64, rounds: u32, seeds: i32): void {
  world.random = seed | 1;
  for (let i = 0; i < DNS_VERDICTS; i++) world.counts[i] = 0;
  const end = memoryEnd();
  for (let round: u32 = 0; round < rounds; round++) {
    const base = <i32>(next() % <u64>seeds);
    let length = world.lengths[base];
    memory.copy(BUFFER, CORPUS + <usize>base * MESSAGE_MAXIMUM, <usize>MESSAGE_MAXIMUM);
    const mutations: u32 = 1 + <u32>(next() % 4);
    for (let m: u32 = 0; m < mutations; m++) {
      const kind = next() % 6;
      const at = <u32>(next() % <u64>max(length, 1));
      if (kind == 0) store<u8>(BUFFER + <usize>at, load<u8>(BUFFER + <usize>at) ^ <u8>(<u32>1 << <u32>(next() % 8)));
      else if (kind == 1) store<u8>(BUFFER + <usize>at, <u8>next());
      else if (kind == 2) length = <u32>(next() % <u64>(length + 1));
      else if (kind == 3) length = min(MESSAGE_MAXIMUM, length + <u32>(next() % 64));
      else if (kind == 4) {   // a compression pointer anywhere, to anywhere near
        store<u8>(BUFFER + <usize>at, <u8>(0xc0 | <u32>(next() % 2)));
        store<u8>(BUFFER + <usize>min(at + 1, MESSAGE_MAXIMUM - 1), <u8>next());
      } else store<u8>(BUFFER + <usize>at, <u8>(next() % 64));   // a label length
    }
    const address = end - <usize>length;
    memory.copy(address, BUFFER, <usize>length);
    world.counts[dnsParseResponse(address, length, QUERY, world.queryLength, world.response)]++;
  }
}
export function count(verdict: i32): u64 { return world.counts[verdict]; }
