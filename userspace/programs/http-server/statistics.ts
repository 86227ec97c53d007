// http-server's counts: requests answered by status, failed connections, connections open; the
// summary line it prints every 100 requests.

export class Statistics {
  requests: u64 = 0;
  failures: u64 = 0;
  open: i32 = 0;
  connections: u64 = 0;
  ok: u64 = 0;
  notFound: u64 = 0;
  otherErrors: u64 = 0;

  summary(): string {
    return "http-server: " + this.requests.toString() + " requests (" + this.ok.toString() + " ok, " + this.notFound.toString()
      + " not found, " + this.otherErrors.toString() + " other errors), " + this.connections.toString() + " connections ("
      + this.open.toString() + " open, " + this.failures.toString() + " failed)";
  }
}

/** Counts an answer of `status`. */
export function statusCount(statistics: Statistics, status: u32): void {
  if (status == 200) statistics.ok++;
  else if (status == 404) statistics.notFound++;
  else statistics.otherErrors++;
}
