// What a decode step returns: a typed record of everything it checked, looked up and reserved
// for one entry (slots in the caller's table, a call record, a looked-up program...). invoke()
// performs the operation from the record and cannot fail; rollback() is the one path that gives
// back a record's reservations, for a decode that finds a problem after reserving. Records that
// reserve are pooled by their object's module (collections/pool.ts), so a warm path allocates
// nothing; an operation with nothing to reserve returns a record without fields, which reads its
// arguments again from the request's snapshot.

import { Request } from "./request";

export abstract class Invocation {
  /** Performs the operation: completes the entry now, or keeps its completion slot and completes
   * it later (a sleep, a wait, a RECV). Cannot fail: a broken promise of decode is a kernel bug
   * (abort), never an error for the process. */
  abstract invoke(request: Request): void;

  /** Gives back every reservation the record holds, unused. */
  rollback(): void {}
}
