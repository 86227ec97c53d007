// What processes and threads cost the account that pays for them (sched/process.ts), in kernel
// heap bytes; the frames they take are counted where they are mapped. A thread pays up front for
// the waits it may hold: at most one per completion slot of its ring (RING_CQ_ENTRIES), each as
// large as the largest wait record. So the calls, receives, parks, sleeps and joins of a thread
// never need a charge of their own, and can never find the heap full.

import { THREADS_MAXIMUM } from "../../abi/methods";
import { RING_CQ_ENTRIES } from "../../abi/ring";
import { CapabilityTable } from "../cap/capability-table";
import { Request } from "../cap/request";
import { Ring } from "../cap/ring";
import { Chain } from "../collections/lists";
import { arrayBytes, instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { CapEnterTimeout } from "../sched/blocking";
import { Joiner, JOINER_BYTES } from "../sched/joiner";
import { Charge, Process } from "../sched/process";
import { Thread } from "../sched/thread";
import { AddressSpace } from "../vm/address-space";
import { PENDING_CALL_BYTES, PENDING_RECEIVE_BYTES } from "./endpoint";
import { PARKED_BYTES, ParkSpaceObject } from "./park-space";
import { ProcessHandleObject } from "./process-handle";
import { ThreadControlObject } from "./thread-control";
import { ThreadHandleObject } from "./thread-handle";
import { ThreadSpawnerObject } from "./thread-spawner";
import { SLEEP_BYTES } from "./timer";
import { ACCEPTING_BYTES } from "./tcp-listener";
import { TCP_WAITING_BYTES } from "./tcp-socket";
import { RECEIVING_BYTES } from "./udp-socket";

/** Per entry in a kernel list that grows by doubling (the run queue, the deadlines, the live
 * processes): its slot, and as much again while the list is at most half full. */
const LIST_ENTRY_BYTES: u64 = 2 * sizeof<usize>();

/** The largest record one operation in flight holds, and its place in the deadline heap. */
const WAIT_BYTES: u64 = max(max(max(max(PENDING_CALL_BYTES, PENDING_RECEIVE_BYTES), max(PARKED_BYTES, SLEEP_BYTES)), JOINER_BYTES),
  max(RECEIVING_BYTES, max(TCP_WAITING_BYTES, ACCEPTING_BYTES))) + LIST_ENTRY_BYTES;

/** A thread's own records: they live on after it ends while a ThreadHandle or ThreadControl names it. */
export const THREAD_RECORD_BYTES: u64 = instanceBytes<Thread>() + instanceBytes<Ring>() + instanceBytes<Request>()
  + instanceBytes<CapEnterTimeout>() + instanceBytes<Chain<Joiner>>();

/** What a running thread costs its account: its records, its place in the run queue, and every
 * wait it may hold. */
export const THREAD_BYTES: u64 = THREAD_RECORD_BYTES + LIST_ENTRY_BYTES + <u64>RING_CQ_ENTRIES * WAIT_BYTES;

/** The ThreadControl and ThreadHandle of a thread, each paying for the thread's records too (either
 * may be the last to name them). */
export const THREAD_CONTROL_BYTES: u64 = instanceBytes<ThreadControlObject>() + THREAD_RECORD_BYTES;
export const THREAD_HANDLE_BYTES: u64 = instanceBytes<ThreadHandleObject>() + THREAD_RECORD_BYTES;

/** A process's own records once it has ended (a ProcessHandle keeps them): the process, its thread
 * array, its startup list (at most 2 entries per grant: SPAWN_GRANTS_MAXIMUM plus the three every
 * process gets, rounded to a power of two), the emptied space and table. */
export const PROCESS_RECORD_BYTES: u64 = instanceBytes<Process>() + staticArrayBytes<usize>(<u64>THREADS_MAXIMUM)
  + arrayBytes<u64>(64) + instanceBytes<Chain<Charge>>() + instanceBytes<Chain<Joiner>>()
  + instanceBytes<CapabilityTable>() + 4 * staticArrayBytes<u8>(0)
  + instanceBytes<AddressSpace>() + 2 * staticArrayBytes<u64>(8) + 2 * arrayBytes<u64>(1) + LIST_ENTRY_BYTES;

/** What a live process costs its account besides its threads, table and space: its records and
 * the two objects every process holds on itself. */
export const PROCESS_BYTES: u64 = PROCESS_RECORD_BYTES + instanceBytes<ThreadSpawnerObject>() + instanceBytes<ParkSpaceObject>()
  + instanceBytes<Chain<Joiner>>();

/** A ProcessHandle, paying for the process's records too (it may be the last to name them). */
export const PROCESS_HANDLE_BYTES: u64 = instanceBytes<ProcessHandleObject>() + PROCESS_RECORD_BYTES;
