// What a network grant allows (docs/abi/interfaces/network.md): a range of local ports its
// sockets may bind, and up to NETWORK_PEER_RULES_MAXIMUM peer rules, each an IPv4 prefix and a
// range of peer ports. A datagram goes to, or is taken from, a peer only when some rule allows
// it (an ICMP echo, which has no port, when some rule covers the peer's address). Made from the boot manifest (loader/manifest.ts) and narrowed by Network.restrict, never
// widened: `within` is the check. Pure data: the host tests run it under Node.

import { NETWORK_PEER_RULES_MAXIMUM } from "../../../abi/methods";

export class NetworkPolicy {
  portLow: u32 = 0;
  portHigh: u32 = 0;
  rules: i32 = 0;
  readonly addresses: StaticArray<u32> = new StaticArray<u32>(NETWORK_PEER_RULES_MAXIMUM);
  readonly prefixes: StaticArray<u32> = new StaticArray<u32>(NETWORK_PEER_RULES_MAXIMUM);
  readonly peerPortLows: StaticArray<u32> = new StaticArray<u32>(NETWORK_PEER_RULES_MAXIMUM);
  readonly peerPortHighs: StaticArray<u32> = new StaticArray<u32>(NETWORK_PEER_RULES_MAXIMUM);

  /** Adds a peer rule; false when the policy has its maximum, or the rule is not well-formed
   * (prefix length over 32, a port range that is empty or includes 0, an address with bits set
   * past its prefix). */
  addRule(address: u32, prefix: u32, portLow: u32, portHigh: u32): bool {
    if (this.rules >= NETWORK_PEER_RULES_MAXIMUM || prefix > 32 || portLow == 0 || portLow > portHigh || portHigh > 0xffff) return false;
    if ((address & ~mask(prefix)) != 0) return false;
    const index = this.rules++;
    unchecked(this.addresses[index] = address);
    unchecked(this.prefixes[index] = prefix);
    unchecked(this.peerPortLows[index] = portLow);
    unchecked(this.peerPortHighs[index] = portHigh);
    return true;
  }

  /** Sets the local port range; false when it is empty or includes 0. */
  setPorts(low: u32, high: u32): bool {
    if (low == 0 || low > high || high > 0xffff) return false;
    this.portLow = low;
    this.portHigh = high;
    return true;
  }

  @inline allowsLocal(port: u32): bool {
    return port >= this.portLow && port <= this.portHigh;
  }

  allowsPeer(address: u32, port: u32): bool {
    for (let i = 0; i < this.rules; i++) {
      if ((address & mask(unchecked(this.prefixes[i]))) == unchecked(this.addresses[i])
        && port >= unchecked(this.peerPortLows[i]) && port <= unchecked(this.peerPortHighs[i])) return true;
    }
    return false;
  }

  /** Whether some rule covers `address`, whatever its ports: ICMP, which has none, may reach
   * it (net/socket/icmp.ts). */
  allowsAddress(address: u32): bool {
    for (let i = 0; i < this.rules; i++) {
      if ((address & mask(unchecked(this.prefixes[i]))) == unchecked(this.addresses[i])) return true;
    }
    return false;
  }

  /** Whether everything this policy allows, `ceiling` allows too. */
  within(ceiling: NetworkPolicy): bool {
    if (this.portLow < ceiling.portLow || this.portHigh > ceiling.portHigh) return false;
    for (let i = 0; i < this.rules; i++) {
      const prefix = unchecked(this.prefixes[i]), address = unchecked(this.addresses[i]);
      let covered = false;
      for (let j = 0; j < ceiling.rules && !covered; j++) {
        const outer = unchecked(ceiling.prefixes[j]);
        covered = outer <= prefix && (address & mask(outer)) == unchecked(ceiling.addresses[j])
          && unchecked(this.peerPortLows[i]) >= unchecked(ceiling.peerPortLows[j])
          && unchecked(this.peerPortHighs[i]) <= unchecked(ceiling.peerPortHighs[j]);
      }
      if (!covered) return false;
    }
    return true;
  }

  copy(): NetworkPolicy {
    const copy = new NetworkPolicy();
    copy.setPorts(this.portLow, this.portHigh);
    for (let i = 0; i < this.rules; i++) {
      copy.addRule(unchecked(this.addresses[i]), unchecked(this.prefixes[i]), unchecked(this.peerPortLows[i]), unchecked(this.peerPortHighs[i]));
    }
    return copy;
  }
}

/** The network mask of a prefix length 0..32. */
@inline export function mask(prefix: u32): u32 {
  return prefix == 0 ? 0 : <u32>(0xffff_ffff << (32 - prefix));
}
